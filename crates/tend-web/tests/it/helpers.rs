//! `TestApp`: a running Tend and a browser-like client with a cookie jar.

use std::sync::Arc;

use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use scraper::{Html, Selector};
use tend_store::testing::TestDatabase;
use tend_store::{MasterKey, Store};
use tend_web::WebConfig;

pub const PASSWORD: &str = "quiet tea after rain";

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub store: Arc<dyn Store>,
    pub db: TestDatabase,
    /// The server's state, for driving background jobs at a chosen time.
    pub state: tend_web::AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// The master key's bytes, so a restart opens the same data.
    master: [u8; MasterKey::BYTES],
    config: WebConfig,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Another instance of a `TestApp`, stopped when dropped.
pub struct Instance {
    pub base: String,
    pub state: tend_web::AppState,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Instance {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

pub fn config() -> WebConfig {
    WebConfig::with_secret([7; 32])
}

impl TestApp {
    /// One app per available backend, default settings.
    pub async fn each_backend() -> Vec<TestApp> {
        Self::each_backend_with(config).await
    }

    pub async fn each_backend_with(config: impl Fn() -> WebConfig) -> Vec<TestApp> {
        let mut apps = Vec::new();
        for db in TestDatabase::each_backend().await {
            apps.push(Self::spawn(db, config()).await);
        }
        apps
    }

    pub async fn spawn(db: TestDatabase, config: WebConfig) -> TestApp {
        let master = *MasterKey::generate().unwrap().to_bytes();
        let (base, store, state, stop) = Self::start(&db, master, config.clone()).await;
        TestApp {
            base,
            client: Self::browser(),
            store,
            db,
            state,
            stop: Some(stop),
            master,
            config,
        }
    }

    async fn start(
        db: &TestDatabase,
        master: [u8; MasterKey::BYTES],
        config: WebConfig,
    ) -> (
        String,
        Arc<dyn Store>,
        tend_web::AppState,
        tokio::sync::oneshot::Sender<()>,
    ) {
        let master = MasterKey::from_bytes(&master).unwrap();
        let store = tend_store::open(&db.location, master).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = tend_web::state(store.clone(), config).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(tend_web::serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        (base, store, state, stop)
    }

    /// A second instance of Tend on the same database and master key, as behind a load
    /// balancer: its own port, memory, bus and worker.
    pub async fn another_instance(&self) -> Instance {
        let (base, _, state, stop) = Self::start(&self.db, self.master, self.config.clone()).await;
        Instance {
            base,
            state,
            _stop: stop,
        }
    }

    /// Stops this server and starts a new one on the same data and master key, as after a
    /// restart: nothing in memory survives (the clock starts again at the real time).
    pub async fn restart(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let (base, store, state, stop) =
            Self::start(&self.db, self.master, self.config.clone()).await;
        (self.base, self.store, self.state, self.stop) = (base, store, state, Some(stop));
    }

    /// A fresh browser: its own cookie jar, redirects shown rather than followed.
    pub fn browser() -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.get_with(&self.client, path).await
    }

    pub async fn get_with(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    /// Loads `page` like a browser, then submits `fields` to `action` with the page's CSRF token.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        self.submit_with(&self.client, page, action, fields).await
    }

    pub async fn submit_with(
        &self,
        client: &Client,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let html = self.get_with(client, page).await.text().await.unwrap();
        let token = csrf_token(&html);
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &token));
        client
            .post(self.url(action))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Signs up `username` in this app's browser; returns the recovery codes page.
    pub async fn sign_up(&self, username: &str) -> String {
        self.sign_up_with(&self.client, username).await
    }

    pub async fn sign_up_with(&self, client: &Client, username: &str) -> String {
        let response = self
            .submit_with(
                client,
                "/signup",
                "/signup",
                &[
                    ("username", username),
                    ("password", PASSWORD),
                    ("adult", "yes"),
                    ("display_name", "Sam"),
                    ("pronouns", "they/them"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.unwrap()
    }

    pub async fn sign_in_with(&self, client: &Client, username: &str, password: &str) -> Response {
        self.submit_with(
            client,
            "/signin",
            "/signin",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// Whether `client` is signed in (the account page shows rather than redirecting).
    pub async fn is_signed_in(&self, client: &Client) -> bool {
        self.get_with(client, "/account").await.status() == StatusCode::OK
    }
}

pub fn csrf_token(html: &str) -> String {
    let document = Html::parse_document(html);
    let selector = Selector::parse("input[name=csrf]").unwrap();
    document
        .select(&selector)
        .next()
        .and_then(|input| input.value().attr("value"))
        .unwrap_or_else(|| panic!("no CSRF token in page:\n{html}"))
        .to_owned()
}

/// The texts of the elements `selector` matches.
pub fn texts(html: &str, selector: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let selector = Selector::parse(selector).unwrap();
    document
        .select(&selector)
        .map(|element| element.text().collect::<String>().trim().to_owned())
        .collect()
}

/// The `value` of the input named `name`.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let document = Html::parse_document(html);
    let selector = Selector::parse(&format!("input[name={name}]")).unwrap();
    document
        .select(&selector)
        .next()
        .and_then(|input| input.value().attr("value").map(str::to_owned))
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// What a browser would send for the form matching `selector`: inputs with their values
/// (checked boxes only), text areas and selected options. Buttons are left out.
pub fn form_fields(html: &str, selector: &str) -> Vec<(String, String)> {
    let document = Html::parse_document(html);
    let form = Selector::parse(selector).unwrap();
    let fields = Selector::parse("input, textarea, select").unwrap();
    let option = Selector::parse("option[selected]").unwrap();
    let Some(form) = document.select(&form).next() else {
        panic!("no form {selector} in:\n{html}");
    };
    form.select(&fields)
        .filter_map(|field| {
            let element = field.value();
            let name = element.attr("name")?.to_owned();
            match element.name() {
                "textarea" => Some((name, field.text().collect())),
                "select" => field
                    .select(&option)
                    .next()
                    .and_then(|o| o.value().attr("value"))
                    .map(|v| (name, v.to_owned())),
                _ => {
                    let kind = element.attr("type").unwrap_or("text");
                    if matches!(kind, "checkbox" | "radio") && element.attr("checked").is_none() {
                        return None;
                    }
                    Some((name, element.attr("value").unwrap_or("").to_owned()))
                }
            }
        })
        .collect()
}
