//! Where every setting comes from (options, environment, credentials file, the in-process
//! emulator) and the client built from them.
//!
//! Precedence: command-line option, then its environment variable, then the credentials
//! chain (`HUAWEICLOUD_SDK_*` variables, then the profile). Authentication: `--emulator`
//! (demo credentials), else `--auth-token`/`TTSC_AUTH_TOKEN`, else IAM password login
//! (`TTSC_IAM_USER`/`TTSC_IAM_PASSWORD`), else AK/SK from the chain.

use std::sync::Arc;
use std::time::Duration;

use clap::ArgMatches;
use clap::parser::ValueSource;
use ttsc_auth::provider::{
    CredentialsChain, ExplicitCredentials, ProcessEnv, ProvideCredentials, ResolvedCredentials,
};
use ttsc_auth::{Credentials, IamToken};
use ttsc_client::{Client, Timeouts, WaitOptions};

use crate::cli::{GlobalArgs, OutputFormat};
use crate::env_vars;
use crate::error::{CliError, CliResult, credentials_hint};
use crate::exit_codes::ExitCode;
use crate::output::{Output, Record};
use crate::ui::Ui;

/// How long jobs of the in-process emulator take, in milliseconds.
pub const EMULATOR_JOB_MS: u64 = 300;
/// Poll interval against the in-process emulator.
const EMULATOR_POLL: Duration = Duration::from_millis(100);

/// A setting and where it came from.
#[derive(Debug, Clone)]
pub struct Setting {
    /// The value.
    pub value: String,
    /// Where it came from (`--region`, `TTSC_REGION`, `profile [basic] in …`, …).
    pub source: String,
}

/// How calls are authenticated.
#[derive(Debug, Clone)]
pub enum AuthChoice {
    /// The in-process emulator's demo AK/SK.
    Emulator,
    /// A fixed IAM token.
    Token {
        /// The token.
        token: IamToken,
        /// Where it came from.
        source: String,
    },
    /// IAM password login.
    Password {
        /// User name.
        user: String,
        /// Password.
        password: ttsc_auth::SecretString,
        /// Account (domain) name.
        domain: String,
    },
    /// Credentials from the chain.
    Chain(Box<ResolvedCredentials>),
}

/// Everything resolved without touching the network.
#[derive(Debug)]
pub struct Resolved {
    /// The API endpoint, unless it follows from the region.
    pub endpoint: Option<Setting>,
    /// The region.
    pub region: Option<Setting>,
    /// The project id.
    pub project_id: Option<Setting>,
    /// The IAM endpoint.
    pub iam_endpoint: Option<Setting>,
    /// The profile section asked for.
    pub profile: Option<Setting>,
    /// Authentication, or why there is none.
    pub auth: Result<AuthChoice, CliError>,
}

/// The command's context: options, the terminal, and the client once built.
pub struct Ctx {
    /// The global options.
    pub g: GlobalArgs,
    /// Where each global option's value came from.
    pub sources: Sources,
    /// Diagnostics.
    pub ui: Ui,
    emulator: Option<ttsc_emulator::Emulator>,
    client: Option<Client>,
}

/// Whether each global option came from the command line or the environment.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    from_env: Vec<&'static str>,
}

impl Sources {
    /// Reads the value sources of the global options from the parsed matches.
    pub fn from_matches(m: &ArgMatches) -> Self {
        let mut from_env = Vec::new();
        for id in [
            "endpoint",
            "region",
            "profile",
            "auth_token",
            "output_format",
        ] {
            if m.value_source(id) == Some(ValueSource::EnvVariable) {
                from_env.push(id);
            }
        }
        Sources { from_env }
    }

    /// Whether option `id` came from the environment.
    pub fn is_from_env(&self, id: &str) -> bool {
        self.from_env.contains(&id)
    }

    /// Where option `id` came from: `var` when from the environment, else `flag`.
    pub fn describe(&self, id: &'static str, flag: &'static str, var: &'static str) -> String {
        if self.from_env.contains(&id) {
            var.to_string()
        } else {
            flag.to_string()
        }
    }
}

impl Ctx {
    /// A context for `g`.
    pub fn new(g: GlobalArgs, sources: Sources, ui: Ui) -> Self {
        Ctx {
            g,
            sources,
            ui,
            emulator: None,
            client: None,
        }
    }

    /// The chosen output format (default: table on a terminal, else JSON).
    pub fn output_format(&self) -> OutputFormat {
        self.g.output_format.unwrap_or(if self.ui.stdout_tty {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        })
    }

    /// Standard output in the chosen format.
    pub fn output(&self) -> Output {
        let format = self.output_format();
        let width = if self.ui.stdout_tty {
            terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0))
        } else {
            env_vars::get(env_vars::COLUMNS).and_then(|c| c.parse().ok())
        };
        Output::new(format, width, self.g.columns.clone(), self.ui.clone())
    }

    /// Refuses a `--columns` name that listings of `R` do not have, before anything is sent.
    pub fn check_columns<R: Record>(&self) -> CliResult<()> {
        crate::output::select_columns(R::COLUMNS, self.g.columns.as_deref())
            .map(drop)
            .map_err(CliError::usage)
    }

    /// Prints one object to standard output in the chosen format and succeeds.
    pub fn print_object<T: serde::Serialize>(&self, value: &T) -> CliResult<ExitCode> {
        let mut out = self.output();
        out.object(value)?;
        out.flush()?;
        Ok(ExitCode::Success)
    }

    /// Prints a whole listing to standard output in the chosen format and succeeds.
    pub fn print_records<R: Record>(&self, records: &[R]) -> CliResult<ExitCode> {
        self.check_columns::<R>()?;
        let mut out = self.output();
        out.records(records)?;
        out.flush()?;
        Ok(ExitCode::Success)
    }

    /// Resolves every setting without sending anything.
    pub fn resolve(&self) -> Resolved {
        let g = &self.g;
        let flag = |value: &Option<String>, id, flag, var| {
            value.as_ref().map(|v| Setting {
                value: v.clone(),
                source: self.sources.describe(id, flag, var),
            })
        };
        let mut endpoint = flag(
            &g.endpoint,
            "endpoint",
            "--endpoint",
            env_vars::TTSC_ENDPOINT,
        );
        let mut region = flag(&g.region, "region", "--region", env_vars::TTSC_REGION);
        let mut project_id = g.project_id.as_ref().map(|p| Setting {
            value: p.clone(),
            source: "--project-id".into(),
        });
        let mut iam_endpoint = g.iam_endpoint.as_ref().map(|p| Setting {
            value: p.clone(),
            source: "--iam-endpoint".into(),
        });
        let profile = flag(&g.profile, "profile", "--profile", env_vars::TTSC_PROFILE);

        if g.emulator {
            let emu = Setting {
                value: "(a local emulator on a free port)".into(),
                source: "--emulator".into(),
            };
            return Resolved {
                endpoint: Some(emu.clone()),
                region: Some(Setting {
                    value: ttsc_emulator::DEFAULT_REGION.into(),
                    source: "--emulator".into(),
                }),
                project_id: Some(Setting {
                    value: ttsc_emulator::DEMO_PROJECT_ID.into(),
                    source: "--emulator".into(),
                }),
                iam_endpoint: Some(emu),
                profile,
                auth: Ok(AuthChoice::Emulator),
            };
        }

        let auth = if let Some(token) = &g.auth_token {
            Ok(AuthChoice::Token {
                token: IamToken::new(token.clone()),
                source: self.sources.describe(
                    "auth_token",
                    "--auth-token",
                    env_vars::TTSC_AUTH_TOKEN,
                ),
            })
        } else if let Some(user) = env_vars::get(env_vars::TTSC_IAM_USER) {
            match env_vars::get(env_vars::TTSC_IAM_PASSWORD) {
                Some(password) => Ok(AuthChoice::Password {
                    domain: env_vars::get(env_vars::TTSC_IAM_DOMAIN)
                        .unwrap_or_else(|| user.clone()),
                    user,
                    password: password.into(),
                }),
                None => Err(CliError::config(format!(
                    "{} is set but {} is not",
                    env_vars::TTSC_IAM_USER,
                    env_vars::TTSC_IAM_PASSWORD
                ))),
            }
        } else {
            let chain = CredentialsChain::default_chain(
                Arc::new(ProcessEnv),
                ExplicitCredentials::new(),
                g.profile.as_deref(),
            );
            match chain.resolve() {
                Ok(found) => Ok(AuthChoice::Chain(Box::new(found))),
                Err(e) => {
                    let mut err = CliError::config("no usable credentials").caused_by(&e);
                    if e.is_not_found() {
                        err = err.hint(credentials_hint());
                    }
                    Err(err)
                }
            }
        };
        // Settings found next to the credentials fill what the options left open.
        if let Ok(AuthChoice::Chain(found)) = &auth {
            let source = found.source.to_string();
            let fill = |slot: &mut Option<Setting>, value: &Option<String>, source: String| {
                if slot.is_none()
                    && let Some(v) = value
                {
                    *slot = Some(Setting {
                        value: v.clone(),
                        source,
                    });
                }
            };
            let env_or = |var: &str| {
                if found.source == ttsc_auth::provider::CredentialSource::Environment {
                    var.to_string()
                } else {
                    source.clone()
                }
            };
            fill(
                &mut project_id,
                &found.project_id,
                env_or(env_vars::HUAWEICLOUD_SDK_PROJECT_ID),
            );
            fill(
                &mut iam_endpoint,
                &found.iam_endpoint,
                env_or(env_vars::HUAWEICLOUD_SDK_IAM_ENDPOINT),
            );
            fill(&mut region, &found.region, source.clone());
        } else if project_id.is_none()
            && let Some(p) = env_vars::get(env_vars::HUAWEICLOUD_SDK_PROJECT_ID)
        {
            project_id = Some(Setting {
                value: p,
                source: env_vars::HUAWEICLOUD_SDK_PROJECT_ID.into(),
            });
        }
        if endpoint.is_none()
            && let Some(r) = &region
        {
            endpoint = Some(Setting {
                value: ttsc_client::config::region_endpoint(&r.value),
                source: format!("region ({})", r.source),
            });
        }
        Resolved {
            endpoint,
            region,
            project_id,
            iam_endpoint,
            profile,
            auth,
        }
    }

    /// The timeouts the options ask for.
    pub fn timeouts(&self) -> Timeouts {
        match self.g.timeout {
            Some(t) => Timeouts::default()
                .operation(t)
                .attempt(t)
                .read(t.min(Duration::from_secs(60))),
            None => Timeouts::default(),
        }
    }

    /// A listing of every record, with `--listing-deadline` applied.
    pub fn paginate<O>(&self, client: &Client, request: O) -> ttsc_client::Paginator<O>
    where
        O: ttsc_models::Paginated + Clone,
        O::Item: ttsc_client::RecordId + 'static,
    {
        let pager = client.paginate(request);
        match self.g.listing_deadline {
            Some(d) => pager.deadline(d),
            None => pager,
        }
    }

    /// How to wait for jobs (`audition`: previews).
    pub fn wait_options(&self, audition: bool) -> WaitOptions {
        let mut w = if audition {
            WaitOptions::for_previews()
        } else {
            WaitOptions::for_jobs()
        };
        if self.g.emulator {
            w = w.interval(EMULATOR_POLL);
        }
        if let Some(i) = self.g.poll_interval {
            w = w.interval(i);
        }
        w
    }

    /// [`wait_options`](Self::wait_options) that show each poll on `spinner`.
    pub fn wait_options_shown(
        &self,
        spinner: &indicatif::ProgressBar,
        audition: bool,
    ) -> WaitOptions {
        let spinner = spinner.clone();
        let noun = if audition { "preview" } else { "job" };
        self.wait_options(audition).progress(move |p| {
            spinner.set_message(format!(
                "{noun} {}: {} (poll {})",
                crate::ui::short_id(&p.job_id),
                p.state,
                p.polls
            ));
        })
    }

    /// The client, built on first use (starting the emulator first with `--emulator`).
    pub async fn client(&mut self) -> CliResult<Client> {
        if let Some(c) = &self.client {
            return Ok(c.clone());
        }
        let resolved = self.resolve();
        let auth = resolved.auth?;
        let mut b = Client::builder().timeouts(self.timeouts());
        if let Some(n) = self.g.max_download_bytes {
            b = b.max_download_bytes(n);
        }
        if let Some(id) = &self.g.app_user_id {
            b = b.app_user_id(id.clone());
        }
        match auth {
            AuthChoice::Emulator => {
                let emu = ttsc_emulator::Emulator::builder()
                    .job_duration_ms(EMULATOR_JOB_MS)
                    .start()
                    .await
                    .map_err(|e| CliError::failure("cannot start the emulator").caused_by(&e))?;
                tracing::info!(url = emu.base_url(), "started the in-process emulator");
                let c = emu.credentials();
                b = b
                    .endpoint(emu.base_url())
                    .iam_endpoint(emu.base_url())
                    .region(c.region())
                    .project_id(c.project_id())
                    .credentials(c.access_key_credentials());
                self.emulator = Some(emu);
                let client = b.build().map_err(|e| crate::error::from_client(&e, 0))?;
                self.client = Some(client.clone());
                return Ok(client);
            }
            AuthChoice::Token { token, .. } => {
                b = b.credentials(Credentials::Token(token));
            }
            AuthChoice::Password {
                user,
                password,
                domain,
            } => {
                b = b.password_login(user, password, domain);
            }
            AuthChoice::Chain(found) => {
                for w in &found.warnings {
                    self.ui.warn(&w.to_string());
                }
                b = b.credentials(found.credentials);
            }
        }
        let Some(endpoint) = resolved.endpoint else {
            return Err(CliError::config("no endpoint").hint(
                "set --region (e.g. cn-north-4) or --endpoint; `--emulator` runs against a local emulator",
            ));
        };
        match resolved.region {
            // An endpoint derived from the region is left to the client, which first checks
            // that the region exists (a typo gets "did you mean …?", not a DNS error).
            Some(r) if self.g.endpoint.is_none() => b = b.region(r.value),
            Some(r) => b = b.endpoint(endpoint.value).region(r.value),
            None => b = b.endpoint(endpoint.value),
        }
        if let Some(p) = resolved.project_id {
            b = b.project_id(p.value);
        }
        if let Some(i) = resolved.iam_endpoint {
            b = b.iam_endpoint(i.value);
        }
        let client = b.build().map_err(|e| crate::error::from_client(&e, 0))?;
        self.client = Some(client.clone());
        Ok(client)
    }

    /// Translates a client error, with the clock skew the client measured.
    pub fn client_error(&self, e: &ttsc_client::Error) -> CliError {
        let skew = self.client.as_ref().map_or(0, Client::clock_skew_ms);
        let mut err = crate::error::from_client(e, skew);
        if self.g.emulator && e.status() == Some(404) {
            err = err.hint(
                "--emulator starts a new, empty emulator for each command, so ids from an earlier command are unknown to it; \
                 start `ttsc emulator` in another shell and export the lines it prints",
            );
        }
        // The gateway's canonical request is cut short in the message; at -v it is shown
        // whole, one line per line, to compare with `ttsc sign` character by character.
        if self.g.verbose > 0
            && let Some((_, canonical)) = e
                .error_msg()
                .and_then(|m| m.split_once("CanonicalRequest:"))
        {
            err.details
                .push("canonical request the gateway computed (`|` is a newline):".into());
            err.details.extend(
                canonical
                    .split('|')
                    .map(|line| format!("  {}", ttsc_client::text::sanitize(line, 2_000))),
            );
        }
        err
    }
}
