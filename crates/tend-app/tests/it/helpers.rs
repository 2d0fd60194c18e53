//! A Tend for one test: the use cases over a fresh database, and members made through them.

use tend_app::accounts::{self, SignUp};
use tend_app::{App, Member, Settings};
use tend_store::MasterKey;
use tend_store::testing::TestDatabase;

pub const PASSWORD: &str = "quiet tea after rain";

pub struct TestTend {
    pub app: App,
    /// Kept for as long as the test runs: the database goes with it.
    _db: TestDatabase,
}

impl TestTend {
    /// One Tend per available backend.
    pub async fn each_backend() -> Vec<TestTend> {
        let mut all = Vec::new();
        for db in TestDatabase::each_backend().await {
            let store = tend_store::open(&db.location, MasterKey::generate().unwrap())
                .await
                .unwrap();
            let catalog = tend_core::Catalog::builtin().unwrap();
            all.push(TestTend {
                app: App::new(store, catalog, Settings::default()),
                _db: db,
            });
        }
        all
    }

    /// A new member called `name`, signed up through the use case.
    pub async fn member(&self, name: &str) -> Member {
        let input = SignUp {
            username: name,
            password: PASSWORD,
            adult: true,
            display_name: name,
            pronouns: "",
        };
        accounts::sign_up(&self.app, input).await.unwrap().member
    }
}

/// The fields a refused input names, in order.
pub fn fields(error: &tend_app::Error) -> Vec<String> {
    match error {
        tend_app::Error::Invalid(problems) => problems.iter().map(|p| p.field.clone()).collect(),
        other => panic!("expected refused input, got {other:?}"),
    }
}
