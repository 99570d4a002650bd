//! Synthesis: the samples of a [`Timeline`], voiced syllables as harmonic tones.

use super::{AudioError, SynthParams, Timeline, VOLUME_RANGE, encode_wav, mix64, pcm_bytes};
use crate::mp3::{self, Mp3Error, Mp3Options};

/// The loudest peak, at the maximum volume, as a fraction of full scale.
const PEAK_AT_MAX_VOLUME: f32 = 0.9;
/// Sine table size; a power of two so the phase's top bits index it.
const TABLE_BITS: u32 = 12;
const TABLE_LEN: usize = 1 << TABLE_BITS;
/// Semitone ratios −3..=+3 as constants: no platform `powf`, same bytes everywhere.
const SEMITONES: [f64; 7] = [
    0.840_896_415_253_714_5,
    0.890_898_718_140_339_3,
    0.943_874_312_681_693_5,
    1.0,
    1.059_463_094_359_295_3,
    1.122_462_048_309_373,
    1.189_207_115_002_721,
];
/// Harmonic mixes (fundamental, 2nd, 3rd), each summing to 1 so the peak is bounded.
const TIMBRES: [[f32; 3]; 4] = [
    [0.60, 0.28, 0.12],
    [0.50, 0.35, 0.15],
    [0.70, 0.18, 0.12],
    [0.55, 0.20, 0.25],
];

/// An audio container or encoding the service can deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AudioFormat {
    /// RIFF/WAVE with 16-bit PCM (the service's default).
    Wav,
    /// MPEG-1/2 Layer III, from a real encoder (feature `mp3`; without it, encoding fails
    /// with [`Mp3Error::UnsupportedFormat`]).
    Mp3,
    /// Raw 16-bit little-endian PCM, interleaved, no header.
    Pcm,
}

impl AudioFormat {
    /// The `Content-Type` to serve the file with.
    #[must_use]
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Wav => "audio/wav",
            Self::Mp3 => "audio/mpeg",
            Self::Pcm => "application/octet-stream",
        }
    }

    /// The file name extension, without the dot.
    #[must_use]
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Wav => "wav",
            Self::Mp3 => "mp3",
            Self::Pcm => "pcm",
        }
    }
}

/// Synthesised speech: interleaved 16-bit samples and the timeline they follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synthesis {
    samples: Vec<i16>,
    channels: u16,
    timeline: Timeline,
}

impl Synthesis {
    /// The samples, interleaved by channel (`L R L R …` for stereo).
    #[must_use]
    pub fn samples(&self) -> &[i16] {
        &self.samples
    }

    /// The number of channels, 1 or 2.
    #[must_use]
    pub fn channels(&self) -> u16 {
        self.channels
    }

    /// The sample rate, in Hz.
    #[must_use]
    pub fn sample_rate(&self) -> u32 {
        self.timeline.sample_rate
    }

    /// The timing of every character, which the subtitle and timestamp files use.
    #[must_use]
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// The length in milliseconds, rounded down.
    #[must_use]
    pub fn duration_ms(&self) -> u64 {
        self.timeline.duration_ms()
    }

    /// The samples as raw 16-bit little-endian PCM.
    #[must_use]
    pub fn to_pcm_bytes(&self) -> Vec<u8> {
        pcm_bytes(&self.samples)
    }

    /// The samples as a WAV file.
    #[must_use]
    pub fn to_wav(&self) -> Vec<u8> {
        encode_wav(&self.samples, self.channels, self.sample_rate())
    }

    /// The audio in `format`, MP3 with the default encoder options.
    ///
    /// # Errors
    ///
    /// Only for [`AudioFormat::Mp3`], when the encoder is unavailable or fails.
    pub fn encode(&self, format: AudioFormat) -> Result<Vec<u8>, Mp3Error> {
        match format {
            AudioFormat::Wav => Ok(self.to_wav()),
            AudioFormat::Pcm => Ok(self.to_pcm_bytes()),
            AudioFormat::Mp3 => mp3::encode(
                &self.samples,
                self.channels,
                self.sample_rate(),
                &Mp3Options::default(),
            ),
        }
    }

    /// Splits the synthesis into its samples and its timeline.
    #[must_use]
    pub fn into_parts(self) -> (Vec<i16>, Timeline) {
        (self.samples, self.timeline)
    }
}

/// Synthesises `text` as speech.
///
/// # Errors
///
/// When `params` is invalid ([`SynthParams::validate`]).
pub fn synthesize(text: &str, params: &SynthParams) -> Result<Synthesis, AudioError> {
    let timeline = Timeline::new(text, params)?;
    let channels = usize::from(params.channels);
    let mut samples = vec![0i16; timeline.total_frames as usize * channels];
    let table = sine_table();
    let base_hz = params.base_frequency_hz() * f64::from(params.pitch) / 100.0;
    let peak =
        PEAK_AT_MAX_VOLUME * i16::MAX as f32 * params.volume as f32 / *VOLUME_RANGE.end() as f32;
    let rate = f64::from(params.sample_rate);
    for seg in timeline.segments.iter().filter(|s| s.class.is_voiced()) {
        let start = seg.start_frame as usize;
        let end = seg.end_frame as usize;
        let out = &mut samples[start * channels..end * channels];
        render_syllable(out, channels, &table, seg.ch, base_hz, rate, peak);
    }
    Ok(Synthesis {
        samples,
        channels: params.channels,
        timeline,
    })
}

/// Silent audio of `duration_ms` milliseconds with `params`' channels and sample rate,
/// for requests with `silence_flag` that failed; its timeline has no segments.
///
/// # Errors
///
/// When `params` is invalid ([`SynthParams::validate`]).
pub fn silence(duration_ms: u64, params: &SynthParams) -> Result<Synthesis, AudioError> {
    params.validate()?;
    let frames = duration_ms * u64::from(params.sample_rate) / 1000;
    Ok(Synthesis {
        samples: vec![0; frames as usize * usize::from(params.channels)],
        channels: params.channels,
        timeline: Timeline::silent(frames, params.sample_rate),
    })
}

/// Writes one voiced syllable into `out` (interleaved frames).
fn render_syllable(
    out: &mut [i16],
    channels: usize,
    table: &[f32; TABLE_LEN],
    ch: char,
    base_hz: f64,
    rate: f64,
    peak: f32,
) {
    let hash = mix64(u64::from(ch as u32));
    let f0 = base_hz * SEMITONES[(hash % SEMITONES.len() as u64) as usize];
    let timbre = TIMBRES[((hash >> 8) % TIMBRES.len() as u64) as usize];
    // Fixed-point phase increments: 2^32 is one full cycle.
    let step = |harmonic: f64| -> u32 {
        let cycles = f0 * harmonic / rate;
        (cycles.fract() * 4_294_967_296.0) as u32
    };
    let steps = [step(1.0), step(2.0), step(3.0)];
    let mut phases = [0u32; 3];

    let frames = out.len() / channels;
    // Attack over the first 20 %, release over the last 30 %: distinct syllables.
    let attack = (frames / 5).max(1);
    let release = (frames * 3 / 10).max(1);
    let inv_attack = 1.0 / attack as f32;
    let inv_release = 1.0 / release as f32;
    let shift = 32 - TABLE_BITS;

    for (i, frame) in out.chunks_exact_mut(channels).enumerate() {
        let mut value = 0.0f32;
        for h in 0..3 {
            value += timbre[h] * table[(phases[h] >> shift) as usize];
            phases[h] = phases[h].wrapping_add(steps[h]);
        }
        let env = if i < attack {
            smoothstep(i as f32 * inv_attack)
        } else if frames - i <= release {
            smoothstep((frames - i - 1) as f32 * inv_release)
        } else {
            1.0
        };
        let sample = (value * env * peak).round() as i16;
        frame.fill(sample);
    }
}

/// `3t² − 2t³`: a ramp from 0 to 1 with zero slope at both ends.
fn smoothstep(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

/// One cycle of a sine wave, computed with a Taylor polynomial on the first quadrant so
/// the table is bit-identical on every platform.
fn sine_table() -> Box<[f32; TABLE_LEN]> {
    let mut table = Box::new([0.0f32; TABLE_LEN]);
    let quarter = TABLE_LEN / 4;
    for i in 0..=quarter {
        let x = std::f64::consts::FRAC_PI_2 * i as f64 / quarter as f64;
        let value = taylor_sin(x) as f32;
        // sin is symmetric around π/2 and antisymmetric around π.
        table[i] = value;
        table[(2 * quarter - i) % TABLE_LEN] = value;
        table[(2 * quarter + i) % TABLE_LEN] = -value;
        table[(4 * quarter - i) % TABLE_LEN] = -value;
    }
    table[0] = 0.0;
    table[2 * quarter] = 0.0;
    table
}

/// `sin(x)` for `x` in `[0, π/2]`, to well below `f32` precision (terms up to `x^17`).
fn taylor_sin(x: f64) -> f64 {
    let x2 = x * x;
    let mut term = x;
    let mut sum = x;
    for n in 1..=8u32 {
        let k = f64::from(2 * n);
        term = -term * x2 / (k * (k + 1.0));
        sum += term;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_table_is_accurate() {
        let table = sine_table();
        for (i, &v) in table.iter().enumerate() {
            let exact = (std::f64::consts::TAU * i as f64 / TABLE_LEN as f64).sin();
            assert!((f64::from(v) - exact).abs() < 1e-6, "{i}: {v} vs {exact}");
        }
    }
}
