//! Synthesises one minute of speech, reports how long it took, and optionally writes it.
//!
//! ```sh
//! cargo run --release -p ttsc-emulator --example synth -- [out.wav|out.mp3]
//! ```

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a program prints"
)]

use std::time::Instant;

use ttsc_emulator::audio::{self, AudioFormat, SynthParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 250 voiced characters are one minute at speed 100.
    let text = "模".repeat(250);
    let params = SynthParams::default();

    let started = Instant::now();
    let speech = audio::synthesize(&text, &params)?;
    let synthesis = started.elapsed();

    let started = Instant::now();
    let wav = speech.to_wav();
    let wav_time = started.elapsed();

    println!(
        "synthesised {} ms of audio ({} samples) in {synthesis:?}; WAV of {} bytes in {wav_time:?}",
        speech.duration_ms(),
        speech.samples().len(),
        wav.len()
    );

    if let Some(path) = std::env::args().nth(1) {
        let bytes = if path.ends_with(".mp3") {
            let started = Instant::now();
            let mp3 = speech.encode(AudioFormat::Mp3)?;
            println!(
                "encoded MP3 of {} bytes in {:?}",
                mp3.len(),
                started.elapsed()
            );
            mp3
        } else {
            wav
        };
        std::fs::write(&path, bytes)?;
        println!("wrote {path}");
    }
    Ok(())
}
