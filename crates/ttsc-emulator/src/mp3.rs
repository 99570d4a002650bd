//! MP3 encoding of synthesised speech, with a real encoder or not at all.
//!
//! The service answers `audio_format: MP3` with an MPEG audio file. The emulator does
//! the same only with a real encoder: it never serves WAV or PCM bytes labelled
//! `audio/mpeg`, because a client that "works" against such a file would break
//! against the real service.
//!
//! # The encoder
//!
//! With the default `mp3` cargo feature, files are encoded by
//! [`rusty_mp3`](https://crates.io/crates/rusty_mp3): a pure-Rust MPEG-1/2/2.5 Layer
//! III encoder under Apache-2.0 with no dependencies and no C code. (The other options
//! on crates.io, bindings to LAME or ports of shine, are LGPL.) The output is a
//! constant-bitrate stream at [`Mp3Options::bitrate_kbps`] that starts with an
//! Info/Xing tag frame carrying the gapless-playback delay and padding; the sample
//! rate decides the MPEG version (16 kHz, the emulator's default, is MPEG-2).
//!
//! Built without the feature (`default-features = false`), [`encode`] returns
//! [`Mp3Error::UnsupportedFormat`]: the server should answer the job with that error
//! rather than with a file of the wrong kind, and clients should request WAV or PCM.

/// Whether this build can encode MP3 (the `mp3` cargo feature).
pub const AVAILABLE: bool = cfg!(feature = "mp3");

/// Why MP3 output could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Mp3Error {
    /// This build has no MP3 encoder.
    #[error(
        "the emulator cannot encode MP3: it was built without its pure-Rust encoder (the `mp3` feature); request WAV or PCM"
    )]
    UnsupportedFormat,
    /// The sample rate is not one of the nine MPEG Layer III rates.
    #[error("MP3 cannot carry audio at {sample_rate} Hz")]
    UnsupportedSampleRate {
        /// The rejected rate, in Hz.
        sample_rate: u32,
    },
    /// The channel count is not 1 or 2.
    #[error("MP3 cannot carry {channels} channels")]
    UnsupportedChannels {
        /// The rejected channel count.
        channels: u16,
    },
    /// The encoder failed.
    #[error("MP3 encoding failed: {message}")]
    Encoder {
        /// The encoder's own description.
        message: String,
    },
}

/// The sample rates MPEG Layer III supports (MPEG-1, MPEG-2 and MPEG-2.5).
pub const SAMPLE_RATES: [u32; 9] = [
    8_000, 11_025, 12_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000,
];

/// Encoder settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mp3Options {
    /// Constant bitrate in kbit/s, snapped to the nearest bitrate the MPEG version
    /// allows. Default: 64, plenty for synthetic speech at 16 kHz.
    pub bitrate_kbps: u32,
}

impl Default for Mp3Options {
    fn default() -> Self {
        Self { bitrate_kbps: 64 }
    }
}

/// Encodes interleaved 16-bit samples as an MP3 file.
///
/// An empty input still gives a valid (silent) stream of a few frames.
///
/// # Errors
///
/// [`Mp3Error::UnsupportedFormat`] when built without the `mp3` feature; otherwise
/// for a sample rate or channel count MP3 cannot carry, or an encoder failure.
pub fn encode(
    samples: &[i16],
    channels: u16,
    sample_rate: u32,
    options: &Mp3Options,
) -> Result<Vec<u8>, Mp3Error> {
    if !AVAILABLE {
        return Err(Mp3Error::UnsupportedFormat);
    }
    if !SAMPLE_RATES.contains(&sample_rate) {
        return Err(Mp3Error::UnsupportedSampleRate { sample_rate });
    }
    if !(1..=2).contains(&channels) {
        return Err(Mp3Error::UnsupportedChannels { channels });
    }
    encode_with_encoder(samples, channels, sample_rate, options)
}

#[cfg(feature = "mp3")]
fn encode_with_encoder(
    samples: &[i16],
    channels: u16,
    sample_rate: u32,
    options: &Mp3Options,
) -> Result<Vec<u8>, Mp3Error> {
    use rusty_mp3::{Error, Mp3Encoder, Mp3EncoderConfig};

    let encoder_error = |err: Error| Mp3Error::Encoder {
        message: err.to_string(),
    };
    let mut encoder = Mp3Encoder::new(Mp3EncoderConfig {
        bitrate_kbps: options.bitrate_kbps,
        vbr_quality: None,
    });
    encoder
        .push_pcm_s16(samples, channels, sample_rate)
        .map_err(encoder_error)?;
    encoder.finish();
    let mut out = Vec::new();
    loop {
        match encoder.next_packet() {
            Ok(packet) => out.extend_from_slice(&packet),
            Err(Error::Eof) => return Ok(out),
            Err(err) => return Err(encoder_error(err)),
        }
    }
}

#[cfg(not(feature = "mp3"))]
fn encode_with_encoder(
    _samples: &[i16],
    _channels: u16,
    _sample_rate: u32,
    _options: &Mp3Options,
) -> Result<Vec<u8>, Mp3Error> {
    Err(Mp3Error::UnsupportedFormat)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(feature = "mp3")]
    use crate::audio::{self, SynthParams};

    #[test]
    fn the_unsupported_message_tells_what_to_do() {
        let message = Mp3Error::UnsupportedFormat.to_string();
        assert!(message.starts_with("the emulator cannot encode MP3"));
        assert!(message.ends_with("request WAV or PCM"));
    }

    #[test]
    #[cfg(not(feature = "mp3"))]
    fn without_the_feature_mp3_is_refused() {
        assert_eq!(
            encode(&[0; 100], 1, 16_000, &Mp3Options::default()),
            Err(Mp3Error::UnsupportedFormat)
        );
    }

    #[test]
    #[cfg(feature = "mp3")]
    fn bad_formats_are_refused_before_encoding() {
        let options = Mp3Options::default();
        assert_eq!(
            encode(&[0; 100], 1, 44_000, &options),
            Err(Mp3Error::UnsupportedSampleRate {
                sample_rate: 44_000
            })
        );
        assert_eq!(
            encode(&[0; 100], 3, 16_000, &options),
            Err(Mp3Error::UnsupportedChannels { channels: 3 })
        );
    }

    /// Parses the first frame header after any Info tag: (MPEG version id, layer id,
    /// sample-rate index, channel mode).
    #[cfg(feature = "mp3")]
    fn frame_header(bytes: &[u8]) -> (u8, u8, u8, u8) {
        assert_eq!(bytes[0], 0xFF, "no frame sync");
        assert_eq!(bytes[1] & 0xE0, 0xE0, "no frame sync");
        (
            (bytes[1] >> 3) & 3,
            (bytes[1] >> 1) & 3,
            (bytes[2] >> 2) & 3,
            bytes[3] >> 6,
        )
    }

    #[cfg(feature = "mp3")]
    fn decode(bytes: &[u8]) -> (u32, u16, Vec<f32>) {
        let mut decoder = rusty_mp3::Mp3Decoder::new();
        decoder.push(bytes);
        decoder.flush();
        let (mut rate, mut channels, mut pcm) = (0, 0, Vec::new());
        while let Ok(frame) = decoder.next_frame() {
            rate = frame.sample_rate;
            channels = frame.channels;
            pcm.extend_from_slice(&frame.samples);
        }
        (rate, channels, pcm)
    }

    #[test]
    #[cfg(feature = "mp3")]
    fn speech_encodes_to_real_mp3_that_decodes_back() {
        for channels in [1u16, 2] {
            let params = SynthParams::default().with_channels(channels);
            let speech = audio::synthesize("Hello MP3 world", &params).unwrap();
            let mp3 = speech.encode(audio::AudioFormat::Mp3).unwrap();
            assert_ne!(&mp3[..4], b"RIFF");
            assert!(!mp3.starts_with(b"ID3"), "no metadata expected");
            // MPEG-2 (version id 2), Layer III (layer id 1), 16 kHz (index 2).
            let (version, layer, rate_index, mode) = frame_header(&mp3);
            assert_eq!((version, layer, rate_index), (2, 1, 2));
            assert_eq!(mode == 3, channels == 1, "channel mode {mode}");

            let (rate, decoded_channels, pcm) = decode(&mp3);
            assert_eq!((rate, decoded_channels), (16_000, channels));
            let frames = pcm.len() / usize::from(channels);
            let expected = speech.timeline().total_frames() as usize;
            // The decoder may keep the encoder's delay and padding (under 2 frames).
            assert!(
                frames >= expected && frames < expected + 2 * 1152,
                "{frames} vs {expected}"
            );
            // The speech survives: the decoded signal has the original's energy.
            let energy = |xs: &mut dyn Iterator<Item = f64>| xs.map(|x| x * x).sum::<f64>();
            let original = energy(&mut speech.samples().iter().map(|&s| f64::from(s) / 32768.0));
            let roundtrip = energy(&mut pcm.iter().map(|&s| f64::from(s)));
            let ratio = roundtrip / original;
            assert!((0.7..1.3).contains(&ratio), "energy ratio {ratio}");
        }
    }

    #[test]
    #[cfg(feature = "mp3")]
    fn encoding_is_deterministic_and_handles_other_rates_and_empty_input() {
        let params = SynthParams::default().with_sample_rate(44_100);
        let speech = audio::synthesize("ab", &params).unwrap();
        let options = Mp3Options::default();
        let once = encode(speech.samples(), 1, 44_100, &options).unwrap();
        let twice = encode(speech.samples(), 1, 44_100, &options).unwrap();
        assert_eq!(once, twice);
        // MPEG-1 (version id 3) at 44.1 kHz (index 0).
        let (version, _, rate_index, _) = frame_header(&once);
        assert_eq!((version, rate_index), (3, 0));

        let empty = encode(&[], 1, 16_000, &options).unwrap();
        assert!(!empty.is_empty());
        frame_header(&empty);
    }
}
