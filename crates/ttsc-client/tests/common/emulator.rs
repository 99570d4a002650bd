//! A client pointed at an emulator, shared by the tests and the benchmarks
//! (`#[path = "…/common/emulator.rs"] mod emulator;`).

use ttsc_client::{Client, ClientBuilder};
use ttsc_emulator::Emulator;

/// A client builder for `emu`: its URL as the endpoint, its access keys and its project.
pub fn client_at(emu: &Emulator) -> ClientBuilder {
    let creds = emu.credentials();
    Client::builder()
        .endpoint(emu.base_url())
        .credentials(creds.access_key_credentials())
        .project_id(creds.project_id())
}
