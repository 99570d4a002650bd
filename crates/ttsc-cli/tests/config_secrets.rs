//! `config show` never prints a secret, not even one inside an endpoint URL.

mod support;

use support::Sandbox;

#[test]
fn config_show_masks_a_password_in_an_endpoint_url() {
    let s = Sandbox::with_demo_keys("config-url-password");
    let run = s.run(&[
        "--endpoint",
        "https://user:hunter2-pw@api.example.com",
        "--iam-endpoint",
        "https://iam-user:iam-pw-42@iam.example.com/v3",
        "--output-format",
        "json",
        "config",
        "show",
    ]);
    run.expect(0);
    for secret in ["hunter2-pw", "iam-pw-42"] {
        assert!(!run.stdout.contains(secret), "{}", run.stdout);
        assert!(!run.stderr.contains(secret), "{}", run.stderr);
    }
    assert!(run.stdout.contains("https://user:"), "{}", run.stdout);
    assert!(run.stdout.contains("@api.example.com"), "{}", run.stdout);
}
