//! Hostile servers: oversized bodies are refused without being buffered whole, a server that
//! trickles bytes still hits --timeout.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::*;

const TOKEN: &str = "hostile-canary-0123456789";

/// A server that answers every connection with `head` and then `chunks`, `pause` apart.
fn raw_server(head: &'static str, chunks: Vec<Vec<u8>>, pause: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { continue };
            let chunks = chunks.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(head.as_bytes());
                for chunk in chunks {
                    if stream.write_all(&chunk).is_err() {
                        return;
                    }
                    let _ = stream.flush();
                    std::thread::sleep(pause);
                }
            });
        }
    });
    format!("http://{addr}")
}

fn run_against(base: &str, extra: &[&str]) -> (i32, serde_json::Value, String, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!("[chatwoot]\nbase_url = \"{base}\"\ntoken = \"{TOKEN}\"\n"),
    );
    let started = Instant::now();
    let (code, out, err) = run(whoami(dir.path())
        .arg("--config")
        .arg(&cfg)
        .args(["-p", "chatwoot", "-o", "json", "--retries", "0"])
        .args(extra));
    (code, json(&out), err, started.elapsed())
}

#[test]
fn bodies_over_8_mib_are_refused_as_they_stream() {
    // No Content-Length: the cap must hold while streaming, not by trusting a header.
    let chunk = vec![b' '; 1024 * 1024];
    let base = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n",
        vec![chunk; 12],
        Duration::ZERO,
    );
    let (code, result, err, _) = run_against(&base, &[]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(result["error"]["kind"], "too_large");
}

#[test]
fn declared_oversized_bodies_are_refused_up_front() {
    let base = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 99999999\r\n\r\n",
        vec![b"{".to_vec()],
        Duration::from_secs(5),
    );
    let (code, result, _, elapsed) = run_against(&base, &["--timeout", "4s"]);
    assert_eq!(code, 3);
    assert_eq!(result["error"]["kind"], "too_large");
    assert!(
        elapsed < Duration::from_secs(3),
        "refused before reading: {elapsed:?}"
    );
}

#[test]
fn a_trickling_server_still_times_out() {
    let base = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n",
        (0..100).map(|_| b" ".to_vec()).collect(),
        Duration::from_millis(200),
    );
    let (code, result, err, elapsed) = run_against(&base, &["--timeout", "1s"]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(result["error"]["kind"], "timeout");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}
