//! `postgate login` for X: the OAuth 2.0 authorization code flow with PKCE, as a public client
//! (`fundamentals/authentication/oauth-2-0/authorization-code`), or OAuth 1.0a keys, or an
//! app-only bearer token for `reconcile`.

use super::api::{APP_BEARER, X};
use super::credential::{SCOPES, XCredential};
use super::destination::Api;
use super::oauth1::Keys;
use super::pkce;
use crate::account::Account;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::platform::spec::{LoginFlow, LoginRequest, Obtained};
use crate::redacted::Secret;
use anyhow::Result;
use std::io::{BufRead, Read};
use std::time::Duration;

pub static FLOW: XLogin = XLogin;

pub struct XLogin;

/// How long `login` waits for the browser to come back: time to sign in to X and consent.
const CONSENT_WAIT: Duration = Duration::from_secs(300);

impl LoginFlow for XLogin {
    fn options(&self) -> &'static [&'static str] {
        &["--paste", "--no-browser", "--oauth1", "--app-bearer"]
    }

    fn obtain(
        &self,
        account: &Account,
        request: &LoginRequest,
        ask: &mut dyn FnMut(&str) -> Result<Secret>,
    ) -> Result<Obtained> {
        let api = account
            .destination::<Api>()
            .ok_or_else(|| Failure::new(ExitCode::Platform, format!("`{}` is not an X account", account.name)))?;
        let x = X::new(account, api)?;
        let exclusive = [request.oauth1, request.app_bearer, request.paste || request.no_browser];
        if exclusive.iter().filter(|b| **b).count() > 1 {
            return Err(Failure::new(
                ExitCode::Usage,
                "choose one of --oauth1, --app-bearer, and the OAuth 2.0 flow's --paste / --no-browser",
            )
            .into());
        }
        if request.app_bearer {
            let token = ask("App-only bearer token (developer portal → the app → Keys and tokens → Bearer Token)")?;
            let checked = x.check_app_bearer(&token)?;
            return Ok(Obtained::Beside {
                suffix: APP_BEARER,
                secret: token,
                checked,
            });
        }
        if request.oauth1 {
            let consumer_key = ask("API Key (consumer key)")?;
            let consumer_secret = ask("API Key Secret (consumer secret)")?;
            let token = ask("Access Token")?;
            let token_secret = ask("Access Token Secret")?;
            let keys = Keys {
                consumer_key: consumer_key.expose().to_string(),
                consumer_secret,
                token: token.expose().to_string(),
                token_secret,
            };
            return Ok(Obtained::Credential(XCredential::OAuth1(keys).to_secret()));
        }
        if request.secret_stdin && !request.paste {
            // A credential document from a secret store: the environment form, or a stored pair.
            let document = ask("X credential (JSON)")?;
            checkable(account, &XCredential::parse(&document)?)?;
            return Ok(Obtained::Credential(document));
        }
        authorize(&x, api, request)
    }
}

/// The browser flow: PKCE S256, a fresh `state`, the code exchanged as soon as it arrives.
fn authorize(x: &X, api: &Api, request: &LoginRequest) -> Result<Obtained> {
    let name = &x.account().name;
    let port =
        api.redirect_port.ok_or_else(|| {
            Failure::new(ExitCode::BadPolicy, format!("X account `{name}` has no `redirect_port`")).hint(
            "register the redirect http://127.0.0.1:PORT/callback for the app in the developer portal (exactly that, \
             X compares it character by character) and set redirect_port = PORT on the account",
        )
        })?;
    let client_id = api.client_id.as_deref().ok_or_else(|| {
        Failure::new(ExitCode::BadPolicy, format!("X account `{name}` has no `client_id`"))
            .hint("set client_id to the OAuth 2.0 client id of the institution's X app (a Native App)")
    })?;
    let pair = pkce::Pkce::new();
    let state = pkce::random_state();
    let redirect = pkce::redirect_uri(port);
    let url = pkce::authorize_url(
        &api.authorize_url,
        client_id,
        &redirect,
        SCOPES,
        &state,
        &pair.challenge,
    );
    let code = if request.paste {
        eprintln!(
            "Open this address in a browser signed in to X as {}, and consent:\n\n  {url}\n",
            x.account().handle
        );
        eprintln!(
            "The browser then fails to open {redirect}?… (nothing listens here): paste that whole address below, \
             within 30 seconds of consenting."
        );
        let line = read_pasted_line()?;
        pkce::code_from_redirect(line.expose(), &state, &redirect)?
    } else {
        // Listening before the address is shown: whoever follows it at once finds us ready.
        let listener = pkce::listen(port)?;
        eprintln!(
            "Sign in to X as {} and consent at this address (postgate waits for the browser on {redirect}):\n\n  {url}\n",
            x.account().handle
        );
        if !request.no_browser
            && let Err(why) = pkce::open_browser(&url)
        {
            eprintln!("postgate: could not open a browser ({why}); open the address above yourself");
        }
        listener.wait(&state, "/callback", CONSENT_WAIT)?
    };
    let tokens = x.exchange_code(&code, &pair.verifier, &redirect)?;
    if let Some(scope) = &tokens.scope {
        let granted: Vec<&str> = scope.split_whitespace().collect();
        let missing: Vec<&str> = SCOPES.iter().copied().filter(|s| !granted.contains(s)).collect();
        if !missing.is_empty() {
            eprintln!(
                "warning: X did not grant {}: {}",
                missing.join(" "),
                if missing.contains(&"offline.access") {
                    "without offline.access the token cannot be renewed, and `login` is needed again in 2 hours"
                } else {
                    "some posts (images) may be refused"
                }
            );
        }
    }
    let credential = XCredential::OAuth2(tokens);
    checkable(x.account(), &credential)?;
    Ok(Obtained::Credential(credential.to_secret()))
}

/// `login` asks X whose a credential is before keeping it. A pair that needs renewing cannot be
/// asked until it is renewed, and renewal goes through the keychain, which hands back the pair
/// already stored there: the check would then vouch for that one, and this one be kept.
fn checkable(account: &Account, credential: &XCredential) -> Result<()> {
    match credential {
        XCredential::OAuth2(t) if t.stale(jiff::Timestamp::now(), super::api::RENEW_MARGIN) => Err(Failure::new(
            ExitCode::Credential,
            format!(
                "the access token of this X credential has expired or expires within 2 minutes: postgate cannot \
                 ask X whose it is without renewing it first; nothing was stored for `{}`",
                account.name
            ),
        )
        .hint(format!(
            "run `postgate login {}` again, or pipe in a pair whose access token is still valid; an app whose \
             tokens live under 2 minutes cannot be used",
            account.name
        ))
        .into()),
        _ => Ok(()),
    }
}

/// One line from stdin, for `--paste`: the address the browser was sent to.
fn read_pasted_line() -> Result<Secret> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(16 * 1024)
        .read_line(&mut line)
        .map_err(|e| Failure::new(ExitCode::Credential, format!("cannot read the pasted address: {e}")))?;
    let line = line.trim().to_string();
    if line.is_empty() {
        return Err(Failure::new(ExitCode::Credential, "no address was pasted; nothing was stored").into());
    }
    Ok(Secret::new(line))
}
