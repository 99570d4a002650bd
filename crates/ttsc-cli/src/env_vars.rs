//! Every environment variable `ttsc` reads, in one place; `ttsc --help` lists them from
//! [`ALL`].

use ttsc_auth::provider::vars;

/// Access key id (AK), read by the credentials chain (as the official SDKs do).
pub const HUAWEICLOUD_SDK_AK: &str = vars::AK;
/// Secret access key (SK), read by the credentials chain.
pub const HUAWEICLOUD_SDK_SK: &str = vars::SK;
/// Security token of temporary AK/SK credentials.
pub const HUAWEICLOUD_SDK_SECURITY_TOKEN: &str = vars::SECURITY_TOKEN;
/// Project id, when it is not given with `--project-id` or in the profile.
pub const HUAWEICLOUD_SDK_PROJECT_ID: &str = vars::PROJECT_ID;
/// IAM endpoint, when it is not given with `--iam-endpoint` or in the profile.
pub const HUAWEICLOUD_SDK_IAM_ENDPOINT: &str = vars::IAM_ENDPOINT;
/// The credentials file (default `~/.huaweicloud/credentials`); `ttsc configure` writes it.
pub const HUAWEICLOUD_SDK_CREDENTIALS_FILE: &str = vars::CREDENTIALS_FILE;
/// Default of `--endpoint`.
pub const TTSC_ENDPOINT: &str = "TTSC_ENDPOINT";
/// Default of `--region`.
pub const TTSC_REGION: &str = "TTSC_REGION";
/// Default of `--profile`.
pub const TTSC_PROFILE: &str = "TTSC_PROFILE";
/// Default of `--output-format`.
pub const TTSC_OUTPUT_FORMAT: &str = "TTSC_OUTPUT_FORMAT";
/// Default of `--app-user-id` (the `X-App-UserId` header).
pub const TTSC_APP_USER_ID: &str = "TTSC_APP_USER_ID";
/// An IAM token to send as is (default of `--auth-token`).
pub const TTSC_AUTH_TOKEN: &str = "TTSC_AUTH_TOKEN";
/// IAM user name for password login (with `TTSC_IAM_PASSWORD`).
pub const TTSC_IAM_USER: &str = "TTSC_IAM_USER";
/// IAM password for password login.
pub const TTSC_IAM_PASSWORD: &str = "TTSC_IAM_PASSWORD";
/// IAM account (domain) name for password login (default: the user name).
pub const TTSC_IAM_DOMAIN: &str = "TTSC_IAM_DOMAIN";
/// Tracing filter (`ttsc_client=debug`, …); overrides `-v`.
pub const RUST_LOG: &str = "RUST_LOG";
/// Any non-empty value turns colours off (<https://no-color.org>), like `--color never`.
pub const NO_COLOR: &str = "NO_COLOR";
/// Table width when standard output is not a terminal (default: no limit).
pub const COLUMNS: &str = "COLUMNS";
/// Home directory, where `~/.huaweicloud/credentials` lives.
pub const HOME: &str = vars::HOME;

/// Every variable with a one-line description, in the order `ttsc --help` shows them.
pub const ALL: &[(&str, &str)] = &[
    (HUAWEICLOUD_SDK_AK, "access key id (AK)"),
    (HUAWEICLOUD_SDK_SK, "secret access key (SK)"),
    (
        HUAWEICLOUD_SDK_SECURITY_TOKEN,
        "security token of temporary AK/SK",
    ),
    (HUAWEICLOUD_SDK_PROJECT_ID, "project id"),
    (HUAWEICLOUD_SDK_IAM_ENDPOINT, "IAM endpoint"),
    (
        HUAWEICLOUD_SDK_CREDENTIALS_FILE,
        "credentials file (default ~/.huaweicloud/credentials)",
    ),
    (TTSC_ENDPOINT, "default of --endpoint"),
    (TTSC_REGION, "default of --region"),
    (TTSC_PROFILE, "default of --profile"),
    (TTSC_OUTPUT_FORMAT, "default of --output-format"),
    (TTSC_APP_USER_ID, "default of --app-user-id"),
    (TTSC_AUTH_TOKEN, "IAM token to send as is (--auth-token)"),
    (TTSC_IAM_USER, "IAM user for password login"),
    (TTSC_IAM_PASSWORD, "IAM password for password login"),
    (
        TTSC_IAM_DOMAIN,
        "IAM account of the user (default: the user name)",
    ),
    (RUST_LOG, "tracing filter; overrides -v"),
    (NO_COLOR, "turns colours off, like --color never"),
    (
        COLUMNS,
        "table width when stdout is not a terminal (default: no limit)",
    ),
    (HOME, "home directory"),
];

/// The `ENVIRONMENT:` section of `ttsc --help`, built from [`ALL`].
pub fn help_section() -> String {
    let width = ALL.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    let mut out = String::from("Environment:\n");
    for (name, what) in ALL {
        out.push_str(&format!("  {name:<width$}  {what}\n"));
    }
    out
}

/// The value of `name`, when set and not empty.
pub fn get(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}
