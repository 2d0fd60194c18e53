## Tend — English. Gentle, plain, role- and gender-neutral words; never graphic.

app-name = Tend

## Layout
quick-exit = Quick exit
quick-exit-shift-two = Shift: press 2 more times to leave this page.
quick-exit-shift-one = Shift: press 1 more time to leave this page.
skip-to-content = Skip to content
nav-label = Main
nav-account = Your account
nav-sign-in = Sign in
nav-sign-up = Create an account
nav-support = Support
nav-privacy = Privacy
lock-now = Lock now
theme-to-dark = Dark theme
theme-to-light = Light theme
theme-to-system = Device theme
exit-title = New tab

## Times, in the member's own time zone
day-and-clock = { $day } { $clock }
times-in-zone = Times are shown in { $zone }.
relative-now = now
relative-in-minutes = { $count ->
    [one] in 1 minute
   *[other] in { $count } minutes
}
relative-in-hours = { $count ->
    [one] in 1 hour
   *[other] in { $count } hours
}
relative-in-days = { $count ->
    [one] in 1 day
   *[other] in { $count } days
}
relative-minutes-ago = { $count ->
    [one] 1 minute ago
   *[other] { $count } minutes ago
}
relative-hours-ago = { $count ->
    [one] 1 hour ago
   *[other] { $count } hours ago
}
relative-days-ago = { $count ->
    [one] 1 day ago
   *[other] { $count } days ago
}

## Home
home-title = Care for each other, after
home-intro = Tend helps partners look after each other after sex or an intense scene: know what you need, share it gently, agree a routine together, and check in during the days after.
home-privacy-promise = Your answers are yours. Partners see only what you choose to share, and nothing here is sent to anyone else.
home-welcome-back = Welcome, { $name }
home-member-intro = This is your quiet space. Take your time; nothing here is urgent.
home-account-link = Your account and sign-in settings
home-support-link = Support, if you need someone to talk to
home-privacy-link = How Tend keeps your information private

## Forms
form-error-summary = Something needs a small change
form-error-prefix = Error:

## Sign up
signup-title = Create an account
signup-intro = You only need a username and a password. No e-mail address, no real name.
signup-username = Username
signup-username-hint = 3 to 32 characters: letters, digits, - and _. Partners will see it.
signup-password = Password
signup-password-hint = At least 10 characters. A few words you will remember work well.
signup-display-name = What should we call you? (optional)
signup-display-name-hint = Shown to your partners instead of your username.
signup-pronouns = Pronouns (optional)
signup-pronouns-hint = For example: she/her, he/him, they/them.
signup-adult = I am 18 or older
signup-no-email = Next, you will get recovery codes: they are how you get back in if you forget your password.
signup-submit = Create my account
signup-have-account = Already have an account?
signup-adult-required = Tend is for adults. Please confirm that you are 18 or older.
signup-username-taken = That username is taken. Please choose another one.

## Rules
rule-username-too-short = Please use at least 3 characters for your username.
rule-username-too-long = Please use at most 32 characters for your username.
rule-username-characters = Please use only letters (a–z), digits, - and _ in your username.
rule-password-too-short = Please use at least 10 characters for your password.
rule-password-too-long = Please use at most 256 characters for your password.
rule-password-common = This password is one of the most common ones, so it is easy to guess. Please choose another.
rule-password-same-as-username = Please choose a password that is different from your username.
rule-text-too-long = This is a little long. Please shorten it.
rule-text-control-characters = This contains characters that cannot be shown. Please remove them.
rule-recovery-code-format = That does not look like a recovery code. Codes look like 7kq2-m9xd-4tcp-z0ha.
rule-unknown = Please check this field.

## Recovery codes
codes-title = Your recovery codes
codes-welcome = Welcome to Tend. Your account is ready.
codes-once-heading = Please save these now
codes-once = These codes are shown only this once. Each one lets you set a new password if you forget yours, and works one time. Keep them somewhere private, like a password manager.
codes-how = To use one, choose "Forgot your password?" on the sign-in page.
codes-saved = I have saved my codes

## Sign in
signin-title = Sign in
signin-username = Username
signin-password = Password
signin-submit = Sign in
signin-forgot = Forgot your password?
signin-new-here = New to Tend?
signin-mismatch = That username and password do not match. Please check them and try again.
signin-rate-limited = There have been many attempts. Please wait a minute, then try again.

## Notices
notice-signed-out = You are signed out.
notice-locked = Tend is locked. Sign in to continue.
notice-signed-out-everywhere = You are signed out on every device.
notice-password-changed = Your password is changed. Other devices are signed out.
notice-recovered = Your new password is set, and every other device is signed out. That recovery code is now used up.

## Recover
recover-title = Set a new password
recover-intro = Use one of the recovery codes you saved when you created your account.
recover-code = Recovery code
recover-code-hint = For example 7kq2-m9xd-4tcp-z0ha. Capital letters and dashes do not matter.
recover-new-password = New password
recover-submit = Set new password
recover-mismatch = That username and recovery code do not match, or the code was already used.

## Account
account-title = Your account
account-username = Username
account-display-name = Name
account-pronouns = Pronouns
account-not-given = Not given
account-password-heading = Change your password
account-current-password = Current password
account-new-password = New password
account-password-submit = Change password
password-current-wrong = That is not your current password. Please try again.
account-codes-heading = Recovery codes
account-codes-left = { $count ->
    [one] You have 1 unused recovery code.
   *[other] You have { $count } unused recovery codes.
}
account-codes-submit = Make new recovery codes
account-signout-heading = Signing out
account-signout = Sign out
account-signout-everywhere = Sign out everywhere
account-signout-everywhere-hint = Signs out every browser and app where you are signed in, including this one. Nobody is notified.

## Support
support-title = Support
support-intro = If something feels hard right now, you do not have to carry it alone. These services listen without judgement.
support-rainn-name = RAINN National Sexual Assault Hotline (United States)
support-rainn-note = Free and confidential, 24 hours a day.
support-rainn-phone = 1-800-656-4673
support-rainn-phone-link = +18006564673
support-directory-name = Find a helpline in your country
support-directory-note = An international directory of free, confidential helplines.
support-directory-url = https://findahelpline.com
support-now-heading = If you are in danger now
support-now = Please call your local emergency number.
support-safety-heading = Staying safe while you use Tend
support-safety = Quick exit, at the top of every page, signs you out and leaves Tend at once. You can also press the Shift key three times. Lock now signs you out and shows the sign-in page. The privacy page says what each does and does not do.

## Privacy
privacy-title = Privacy
privacy-intro = Tend is built for the most private parts of life. Here is, plainly, what it keeps and what it does not.
privacy-kept-heading = What Tend keeps
privacy-kept = Your username, your password in a form that cannot be turned back into it, and the name and pronouns you chose to give. No e-mail address, no phone number.
privacy-sealed-heading = Sealed at rest
privacy-sealed = What you write is encrypted with a key of your own before it is stored, and that key is kept apart from the data. A stolen copy of the database or a backup cannot be read. This does not protect against someone who controls the running server.
privacy-never-heading = What Tend never does
privacy-never = It stores no IP addresses and no details of your browser or device. It loads nothing from other websites: no fonts, no analytics, no trackers. Your answers are never sold or shared.
privacy-admin-heading = What your instance admin can see
privacy-admin = The person who runs this server can see that an account exists and when it was created, and could change the running software. Please do not use an instance run by someone you need protection from.
privacy-cookies-heading = Cookies
privacy-cookies = Tend sets only cookies of its own, and they end when you close your browser: your sign-in, a protection for forms, your theme if you chose one, and your time zone as your browser gives it (for example Europe/Berlin), so that times show as your clocks do. The time zone is not stored or logged.
privacy-safety-heading = What the safety features do, and do not do
privacy-quick-exit = Quick exit, at the top of every page (or the Shift key pressed three times), does this at once:
privacy-quick-exit-signs-out = It signs you out on the server. Any other Tend page open in this browser shows nothing more: it goes to the sign-in page the next time it loads or updates.
privacy-quick-exit-cookies = It removes Tend's cookies from this browser.
privacy-quick-exit-blank = It replaces this page with a blank one, so the Back button does not bring it back. A Tend page from before that you go back to shows the sign-in page instead.
privacy-quick-exit-elsewhere = It replaces this page with another website, chosen by the people who run this Tend, so the Back button does not bring it back. A Tend page from before that you go back to shows the sign-in page instead.
privacy-quick-exit-no-script = It works the same with JavaScript turned off.
privacy-quick-exit-cannot = What it cannot do:
privacy-quick-exit-history = It cannot erase your browser's history. The addresses of Tend pages you opened before stay listed there, though not what they showed. To remove them, delete your browsing history in your browser's settings (on most computers Ctrl+Shift+Delete, or Cmd+Shift+Delete on a Mac opens it). A private window keeps no history after you close it.
privacy-quick-exit-other-devices = It signs you out in this browser only. Sign out everywhere, on your account page, does it on every device.
privacy-quick-exit-watched = It cannot hide that Tend was visited from someone who can see this device or its network.
privacy-lock = Lock now ends your session at once on this device. Sign out everywhere ends it on every device.

## Errors
error-home = Go to the start page
error-bad-request-title = That did not work
error-bad-request-body = Something in that request could not be understood. Please go back and try again.
error-csrf-title = Please try that again
error-csrf-body = This form had expired, so nothing was changed. Please go back, reload the page and send it again.
error-not-found-title = Page not found
error-not-found-body = There is nothing here. The address may be mistyped, or the page may have moved.
error-too-large-title = That was too much at once
error-too-large-body = What you sent is larger than Tend accepts. Please shorten it and try again.
error-too-many-title = Please wait a moment
error-too-many-body = There have been many attempts in a short time. Please wait a minute, then try again.
error-internal-title = Something went wrong on our side
error-internal-body = Nothing you did caused this. Please try again in a moment.

## API
api-unauthorized = Please sign in: send a valid token as "Authorization: Bearer <token>".
api-invalid = Some fields need a change; see "errors".
