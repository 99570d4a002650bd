//! WAV and raw PCM bytes for 16-bit samples.

/// Interleaved samples as 16-bit little-endian bytes.
#[must_use]
pub fn pcm_bytes(samples: &[i16]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(samples.len() * 2);
    for s in samples {
        bytes.extend_from_slice(&s.to_le_bytes());
    }
    bytes
}

/// The 44-byte header of a canonical PCM WAV file: a `RIFF`/`WAVE` container with a
/// `fmt ` chunk (format 1, 16 bits per sample) and the header of a `data` chunk of
/// `data_len` bytes.
#[must_use]
pub fn wav_header(channels: u16, sample_rate: u32, data_len: u32) -> [u8; 44] {
    const BITS_PER_SAMPLE: u16 = 16;
    let block_align = channels * (BITS_PER_SAMPLE / 8);
    let byte_rate = sample_rate * u32::from(block_align);
    let mut header = [0u8; 44];
    let fields: [&[u8]; 13] = [
        b"RIFF",
        &data_len.saturating_add(36).to_le_bytes(),
        b"WAVE",
        b"fmt ",
        &16u32.to_le_bytes(),
        &1u16.to_le_bytes(),
        &channels.to_le_bytes(),
        &sample_rate.to_le_bytes(),
        &byte_rate.to_le_bytes(),
        &block_align.to_le_bytes(),
        &BITS_PER_SAMPLE.to_le_bytes(),
        b"data",
        &data_len.to_le_bytes(),
    ];
    let mut at = 0;
    for field in fields {
        header[at..at + field.len()].copy_from_slice(field);
        at += field.len();
    }
    header
}

/// A complete WAV file for interleaved 16-bit samples.
///
/// The RIFF sizes are 32-bit: audio over 4 GiB (far beyond the 10 000-character text
/// limit) would get saturated sizes.
#[must_use]
pub fn encode_wav(samples: &[i16], channels: u16, sample_rate: u32) -> Vec<u8> {
    let data_len = u32::try_from(samples.len() * 2).unwrap_or(u32::MAX);
    let mut wav = Vec::with_capacity(44 + samples.len() * 2);
    wav.extend_from_slice(&wav_header(channels, sample_rate, data_len));
    for s in samples {
        wav.extend_from_slice(&s.to_le_bytes());
    }
    wav
}
