//! Joining the audio files of a long synthesis's parts into one file, and measuring each
//! part exactly (in samples) so subtitles can be shifted without drift.
//!
//! - **WAV**: the parts must agree on their `fmt ` chunk (encoding, sample rate, channels,
//!   sample width); the result has one header and the parts' `data` chunks back to back.
//!   A part lasts `data bytes / block align` sample frames.
//! - **MP3**: the parts must agree on MPEG version, sample rate and channel mode; the
//!   result keeps the first part's ID3v2 tag and every part's audio frames, and drops the
//!   Xing/Info/VBRI frames (their frame count would describe one part, not the whole) and
//!   the other tags. A part lasts `frames × samples per frame` samples.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};

/// The container of the parts' audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    Wav,
    Mp3,
}

/// What a joined file holds: per part, its length in samples, at `sample_rate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Joined {
    pub(crate) sample_rate: u32,
    pub(crate) samples: Vec<u64>,
    pub(crate) bytes: u64,
}

impl Joined {
    /// Where part `k` starts, in milliseconds (rounded down).
    pub(crate) fn offset_ms(&self, k: usize) -> u64 {
        ms(self.samples[..k].iter().sum(), self.sample_rate)
    }

    /// The length of the whole, in milliseconds (rounded down).
    pub(crate) fn duration_ms(&self) -> u64 {
        self.offset_ms(self.samples.len())
    }
}

fn ms(samples: u64, rate: u32) -> u64 {
    u64::try_from(u128::from(samples) * 1000 / u128::from(rate.max(1))).unwrap_or(u64::MAX)
}

fn decode(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!("cannot join {}: {what}", path.display()),
    )
}

/// The length of the audio file at `path` in milliseconds, when it can be read.
pub(crate) fn duration_ms(container: Container, path: &Path) -> Option<u64> {
    match container {
        Container::Wav => {
            let wav = WavPart::open(path).ok()?;
            Some(ms(wav.frames(), wav.format.sample_rate()))
        }
        Container::Mp3 => {
            let bytes = std::fs::read(path).ok()?;
            let mp3 = Mp3Part::parse(path, &bytes).ok()?;
            Some(ms(mp3.samples(), mp3.sample_rate))
        }
    }
}

/// Joins `parts` (in order) into `dest`, atomically: written beside it and renamed.
pub(crate) fn join(container: Container, parts: &[PathBuf], dest: &Path) -> Result<Joined> {
    let tmp = crate::download::part_path(dest);
    let result = File::create(&tmp)
        .map_err(|e| Error::io(format!("cannot create {}", tmp.display()), e))
        .and_then(|file| {
            let mut out = BufWriter::with_capacity(1 << 20, file);
            let joined = match container {
                Container::Wav => join_wav(parts, &mut out)?,
                Container::Mp3 => join_mp3(parts, &mut out)?,
            };
            let file = out.into_inner().map_err(|e| {
                Error::io(format!("cannot write {}", tmp.display()), e.into_error())
            })?;
            file.sync_all()
                .map_err(|e| Error::io(format!("cannot fsync {}", tmp.display()), e))?;
            Ok(joined)
        })
        .and_then(|joined| {
            std::fs::rename(&tmp, dest).map_err(|e| {
                Error::io(format!("cannot move the audio to {}", dest.display()), e)
            })?;
            Ok(joined)
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The `fmt ` chunk's body, compared byte for byte between parts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WavFormat(Vec<u8>);

impl WavFormat {
    fn u16_at(&self, at: usize) -> u16 {
        u16::from_le_bytes([self.0[at], self.0[at + 1]])
    }
    fn channels(&self) -> u16 {
        self.u16_at(2)
    }
    fn sample_rate(&self) -> u32 {
        u32::from_le_bytes([self.0[4], self.0[5], self.0[6], self.0[7]])
    }
    fn block_align(&self) -> u16 {
        self.u16_at(12)
    }
    fn bits(&self) -> u16 {
        self.u16_at(14)
    }
    fn describe(&self) -> String {
        format!(
            "{} Hz, {} channel(s), {} bit (format {})",
            self.sample_rate(),
            self.channels(),
            self.bits(),
            self.u16_at(0)
        )
    }
}

/// A WAV part: its format and where its samples are.
struct WavPart {
    file: File,
    format: WavFormat,
    data_at: u64,
    data_len: u64,
}

impl WavPart {
    fn open(path: &Path) -> Result<Self> {
        let mut file = File::open(path)
            .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
        let size = file
            .metadata()
            .map_err(|e| Error::io(format!("cannot stat {}", path.display()), e))?
            .len();
        let read_err = |e| Error::io(format!("cannot read {}", path.display()), e);
        let mut head = [0u8; 12];
        file.read_exact(&mut head).map_err(read_err)?;
        if &head[..4] != b"RIFF" || &head[8..] != b"WAVE" {
            return Err(decode(path, "not a RIFF/WAVE file"));
        }
        let mut at = 12u64;
        let mut format = None;
        // Each step moves forward by at least 8 bytes, so this ends.
        while at + 8 <= size {
            let mut chunk = [0u8; 8];
            file.seek(SeekFrom::Start(at)).map_err(read_err)?;
            file.read_exact(&mut chunk).map_err(read_err)?;
            let len = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
            match &chunk[..4] {
                b"fmt " => {
                    if !(16..=64).contains(&len) {
                        return Err(decode(path, format!("a fmt chunk of {len} bytes")));
                    }
                    let mut body = vec![0u8; len as usize];
                    file.read_exact(&mut body).map_err(read_err)?;
                    format = Some(WavFormat(body));
                }
                b"data" => {
                    let format = format.ok_or_else(|| decode(path, "data before fmt"))?;
                    if format.block_align() == 0 || format.sample_rate() == 0 {
                        return Err(decode(path, "a fmt chunk with no sample size or rate"));
                    }
                    let data_len = len.min(size - at - 8);
                    let data_len = data_len - data_len % u64::from(format.block_align());
                    return Ok(WavPart {
                        file,
                        format,
                        data_at: at + 8,
                        data_len,
                    });
                }
                _ => {}
            }
            at += 8 + len + (len & 1);
        }
        Err(decode(path, "no data chunk"))
    }

    fn frames(&self) -> u64 {
        self.data_len / u64::from(self.format.block_align())
    }
}

fn join_wav(parts: &[PathBuf], out: &mut impl Write) -> Result<Joined> {
    let mut opened: Vec<(&PathBuf, WavPart)> = Vec::with_capacity(parts.len());
    for path in parts {
        let part = WavPart::open(path)?;
        if let Some((_, first)) = opened.first()
            && first.format != part.format
        {
            return Err(decode(
                path,
                format!(
                    "its audio is {}, the first part's is {}",
                    part.format.describe(),
                    first.format.describe()
                ),
            ));
        }
        opened.push((path, part));
    }
    let data: u64 = opened.iter().map(|(_, p)| p.data_len).sum();
    let format = opened
        .first()
        .map(|(_, p)| p.format.clone())
        .ok_or_else(|| Error::new(ErrorKind::Decode, "nothing to join"))?;
    let header_len = 4 + 8 + format.0.len() as u64 + 8;
    let riff_len = u32::try_from(header_len + data).map_err(|_| {
        Error::new(
            ErrorKind::Decode,
            "the joined audio is over the 4 GiB a WAV file can hold",
        )
    })?;
    let write_err = |e| Error::io("cannot write the joined audio", e);
    let mut header = Vec::with_capacity(header_len as usize + 8);
    header.extend_from_slice(b"RIFF");
    header.extend_from_slice(&riff_len.to_le_bytes());
    header.extend_from_slice(b"WAVE");
    header.extend_from_slice(b"fmt ");
    header.extend_from_slice(&(format.0.len() as u32).to_le_bytes());
    header.extend_from_slice(&format.0);
    header.extend_from_slice(b"data");
    header.extend_from_slice(&(data as u32).to_le_bytes());
    out.write_all(&header).map_err(write_err)?;
    let mut samples = Vec::with_capacity(opened.len());
    for (path, mut part) in opened {
        part.file
            .seek(SeekFrom::Start(part.data_at))
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
        let copied = std::io::copy(&mut (&mut part.file).take(part.data_len), out)
            .map_err(|e| Error::io(format!("cannot copy {}", path.display()), e))?;
        if copied != part.data_len {
            return Err(decode(path, "the file shrank while being joined"));
        }
        samples.push(part.frames());
    }
    Ok(Joined {
        sample_rate: format.sample_rate(),
        samples,
        bytes: header.len() as u64 + data,
    })
}

/// An MP3 part: its audio frames (byte ranges) and what they carry.
struct Mp3Part {
    id3: std::ops::Range<usize>,
    frames: Vec<std::ops::Range<usize>>,
    version: u32,
    sample_rate: u32,
    mono: bool,
    samples_per_frame: u64,
}

/// One MPEG Layer III frame header.
struct FrameHeader {
    version: u32,
    sample_rate: u32,
    mono: bool,
    len: usize,
    samples: u64,
    side_info_end: usize,
}

fn frame_header(b: &[u8]) -> Option<FrameHeader> {
    let h = u32::from_be_bytes(b.get(..4)?.try_into().ok()?);
    if h >> 21 != 0x7FF {
        return None;
    }
    let version = (h >> 19) & 3; // 3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5
    let layer = (h >> 17) & 3; // 1 is Layer III
    let crc = (h >> 16) & 1 == 0;
    let bitrate_index = ((h >> 12) & 0xF) as usize;
    let rate_index = ((h >> 10) & 3) as usize;
    let padding = ((h >> 9) & 1) as usize;
    let mono = (h >> 6) & 3 == 3;
    if version == 1 || layer != 1 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    const V1: [u32; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const V2: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    let (kbps, base_rate, samples, side) = if version == 3 {
        (
            V1[bitrate_index],
            [44_100, 48_000, 32_000][rate_index],
            1152,
            if mono { 17 } else { 32 },
        )
    } else {
        (
            V2[bitrate_index],
            [22_050, 24_000, 16_000][rate_index],
            576,
            if mono { 9 } else { 17 },
        )
    };
    let sample_rate = if version == 0 {
        base_rate / 2
    } else {
        base_rate
    };
    let len = (samples / 8 * kbps as usize * 1000) / sample_rate as usize + padding;
    Some(FrameHeader {
        version,
        sample_rate,
        mono,
        len,
        samples: samples as u64,
        side_info_end: 4 + usize::from(crc) * 2 + side,
    })
}

/// Whether a frame is a Xing/Info/VBRI tag rather than audio.
fn is_tag_frame(frame: &[u8], header: &FrameHeader) -> bool {
    let at = |i: usize, tag: &[u8]| frame.get(i..i + 4) == Some(tag);
    at(header.side_info_end, b"Xing") || at(header.side_info_end, b"Info") || at(36, b"VBRI")
}

impl Mp3Part {
    fn parse(path: &Path, b: &[u8]) -> Result<Self> {
        let mut at = 0;
        if b.starts_with(b"ID3") && b.len() >= 10 {
            let size = b[6..10]
                .iter()
                .fold(0usize, |acc, &x| (acc << 7) | usize::from(x & 0x7F));
            let footer = if b[5] & 0x10 != 0 { 10 } else { 0 };
            at = (10 + size + footer).min(b.len());
        }
        let id3 = 0..at;
        let mut frames = Vec::new();
        let mut first: Option<FrameHeader> = None;
        // Each step moves forward by a whole frame (at least one byte), so this ends.
        while at < b.len() {
            let rest = &b[at..];
            if rest.starts_with(b"TAG") || rest.starts_with(b"APETAGEX") || rest.starts_with(b"ID3")
            {
                break;
            }
            let header = frame_header(rest)
                .filter(|h| h.len > 4 && h.len <= rest.len())
                .ok_or_else(|| decode(path, format!("no MP3 frame at byte {at}")))?;
            if let Some(f) = &first
                && (f.version, f.sample_rate, f.mono)
                    != (header.version, header.sample_rate, header.mono)
            {
                return Err(decode(
                    path,
                    format!("the MP3 stream changes format at byte {at}"),
                ));
            }
            let frame = &rest[..header.len];
            if !(frames.is_empty() && is_tag_frame(frame, &header)) {
                frames.push(at..at + header.len);
            }
            at += header.len;
            first.get_or_insert(header);
        }
        let first = first.ok_or_else(|| decode(path, "no MP3 frames"))?;
        Ok(Mp3Part {
            id3,
            frames,
            version: first.version,
            sample_rate: first.sample_rate,
            mono: first.mono,
            samples_per_frame: first.samples,
        })
    }

    fn samples(&self) -> u64 {
        self.frames.len() as u64 * self.samples_per_frame
    }

    fn describe(&self) -> String {
        format!(
            "MPEG-{} at {} Hz, {}",
            match self.version {
                3 => "1",
                2 => "2",
                _ => "2.5",
            },
            self.sample_rate,
            if self.mono { "mono" } else { "stereo" }
        )
    }
}

fn join_mp3(parts: &[PathBuf], out: &mut impl Write) -> Result<Joined> {
    let mut first: Option<Mp3Part> = None;
    let mut samples = Vec::with_capacity(parts.len());
    let mut bytes = 0u64;
    let write_err = |e| Error::io("cannot write the joined audio", e);
    for path in parts {
        let data = std::fs::read(path)
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
        let part = Mp3Part::parse(path, &data)?;
        match &first {
            Some(f)
                if (f.version, f.sample_rate, f.mono)
                    != (part.version, part.sample_rate, part.mono) =>
            {
                return Err(decode(
                    path,
                    format!(
                        "its audio is {}, the first part's is {}",
                        part.describe(),
                        f.describe()
                    ),
                ));
            }
            Some(_) => {}
            None => {
                out.write_all(&data[part.id3.clone()]).map_err(write_err)?;
                bytes += part.id3.len() as u64;
            }
        }
        for frame in &part.frames {
            out.write_all(&data[frame.clone()]).map_err(write_err)?;
            bytes += frame.len() as u64;
        }
        samples.push(part.samples());
        first.get_or_insert(part);
    }
    let first = first.ok_or_else(|| Error::new(ErrorKind::Decode, "nothing to join"))?;
    Ok(Joined {
        sample_rate: first.sample_rate,
        samples,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ttsc_emulator::audio::{self as emu, SynthParams};

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ttsc-join-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn write(d: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = d.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn wav_parts_become_one_file_with_one_header() {
        let d = dir("wav");
        let params = SynthParams::default();
        let a = emu::synthesize("Hello.", &params).unwrap();
        let b = emu::synthesize("你好。", &params).unwrap();
        let parts = [
            write(&d, "a.wav", &a.to_wav()),
            write(&d, "b.wav", &b.to_wav()),
        ];
        let joined = join(Container::Wav, &parts, &d.join("out.wav")).unwrap();
        let out = std::fs::read(d.join("out.wav")).unwrap();
        let mut want = a.to_pcm_bytes();
        want.extend(b.to_pcm_bytes());
        assert_eq!(out[..44], emu::wav_header(1, 16_000, want.len() as u32));
        assert_eq!(out[44..], want[..]);
        assert_eq!(joined.bytes, out.len() as u64);
        assert_eq!(joined.offset_ms(1), a.duration_ms());
        assert_eq!(joined.duration_ms(), a.duration_ms() + b.duration_ms());
        assert_eq!(
            duration_ms(Container::Wav, &parts[1]),
            Some(b.duration_ms())
        );
        assert!(!crate::download::part_path(&d.join("out.wav")).exists());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn wav_parts_that_disagree_are_refused() {
        let d = dir("wav-mismatch");
        let mono = emu::synthesize("Hi.", &SynthParams::default()).unwrap();
        let stereo = emu::synthesize("Hi.", &SynthParams::default().with_channels(2)).unwrap();
        let parts = [
            write(&d, "a.wav", &mono.to_wav()),
            write(&d, "b.wav", &stereo.to_wav()),
        ];
        let err = join(Container::Wav, &parts, &d.join("out.wav")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert!(err.to_string().contains("2 channel(s)"), "{err}");
        assert!(!d.join("out.wav").exists());
        assert!(!crate::download::part_path(&d.join("out.wav")).exists());
        let junk = write(&d, "c.wav", b"RIFF\0\0\0\0WAVEjunk");
        assert!(join(Container::Wav, &[junk], &d.join("x.wav")).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn mp3_parts_lose_their_info_frames_and_later_tags() {
        let d = dir("mp3");
        let speech = emu::synthesize("Hello there.", &SynthParams::default()).unwrap();
        let mp3 = speech
            .encode(emu::AudioFormat::Mp3)
            .expect("the emulator is built with its MP3 encoder");
        let info = frame_header(&mp3).unwrap();
        assert!(
            is_tag_frame(&mp3[..info.len], &info),
            "the encoder writes an Info frame"
        );
        let audio_frames = (mp3.len() - info.len) / info.len;
        let mut tagged = b"ID3\x04\0\0\0\0\0\x02ab".to_vec();
        tagged.extend_from_slice(&mp3);
        tagged.extend_from_slice(b"TAG");
        tagged.resize(tagged.len() + 125, 0);
        let parts = [write(&d, "a.mp3", &tagged), write(&d, "b.mp3", &tagged)];
        let joined = join(Container::Mp3, &parts, &d.join("out.mp3")).unwrap();
        let out = std::fs::read(d.join("out.mp3")).unwrap();
        assert_eq!(
            &out[..12],
            &tagged[..12],
            "the first part's ID3 tag is kept"
        );
        assert_eq!(out.len(), 12 + 2 * audio_frames * info.len);
        assert!(!out.windows(4).any(|w| w == b"Info" || w == b"Xing"));
        assert_eq!(joined.samples, [audio_frames as u64 * 576; 2]);
        assert_eq!(joined.sample_rate, 16_000);
        let garbage = write(&d, "g.mp3", &[0xFF, 0xF3, 0, 0, 1, 2, 3]);
        assert!(join(Container::Mp3, &[garbage], &d.join("y.mp3")).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
