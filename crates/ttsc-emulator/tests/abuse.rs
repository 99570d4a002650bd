//! The emulator under abuse: slow and oversized requests, bodies from strangers.

mod common;

use std::time::Duration;

use common::{raw_exchange, start_emulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use ttsc_emulator::Emulator;

/// Every exchange is bounded: a server that waits forever fails the test instead.
const BOUND: Duration = Duration::from_secs(30);

async fn exchange(emu: &Emulator, request: &str) -> String {
    let out = tokio::time::timeout(BOUND, raw_exchange(emu.addr(), request.as_bytes()))
        .await
        .expect("the emulator answers without waiting for the body")
        .unwrap_or_default();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn a_slowloris_connection_is_closed() {
    let (emu, _) = start_emulator(Emulator::builder()).await;
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    // Headers that never end.
    s.write_all(b"GET /v1/p/ttsc/tts-jobs HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(BOUND, s.read_to_end(&mut buf))
        .await
        .expect("the emulator closes a connection whose headers never end");
    // Closed (possibly after a 408), never held open.
    assert!(read.is_err() || !String::from_utf8_lossy(&buf).contains("200 OK"));
}

#[tokio::test]
async fn an_oversized_body_is_refused_by_its_content_length_before_it_is_sent() {
    let (emu, api) = start_emulator(Emulator::builder()).await;
    let path = api.tts("async-jobs");
    let response = exchange(
        &emu,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: 13000000\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
}

#[tokio::test]
async fn a_stranger_is_refused_before_the_body_is_read() {
    let (emu, api) = start_emulator(Emulator::builder()).await;
    let path = api.tts("async-jobs");
    for credentials in [
        "",
        "Authorization: SDK-HMAC-SHA256 Access=NOT-A-KEY, SignedHeaders=host, Signature=00\r\n",
        "X-Auth-Token: not-a-token\r\n",
    ] {
        let response = exchange(
            &emu,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                 {credentials}Content-Length: 1000000\r\nConnection: close\r\n\r\n"
            ),
        )
        .await;
        assert!(
            response.starts_with("HTTP/1.1 401"),
            "{credentials}: {response}"
        );
    }
}
