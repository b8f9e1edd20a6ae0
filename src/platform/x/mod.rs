pub mod oauth1;
pub mod pkce;
