//! What a downloaded file turns out to be: its first bytes against the kind and format it was
//! announced as, so an HTML error page, an empty body or the wrong audio never takes an audio
//! file's name.

use ttsc_models::AudioFormat;

/// How many leading bytes the checks look at.
pub(crate) const HEAD: usize = 512;

/// Whether `head` starts like an HTML or XML page (after white space and a byte-order mark).
fn is_markup(head: &[u8]) -> bool {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    let text = &text[start.unwrap_or(text.len())..];
    let lower: Vec<u8> = text.iter().take(16).map(u8::to_ascii_lowercase).collect();
    [&b"<!doctype"[..], b"<html", b"<?xml", b"<head", b"<body"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// `RIFF····WAVE`.
fn is_wav(head: &[u8]) -> bool {
    head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WAVE"
}

/// An ID3v2 tag or an MPEG audio frame sync (11 set bits).
fn is_mp3(head: &[u8]) -> bool {
    head.starts_with(b"ID3") || (head.len() >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0)
}

/// The audio format a `Content-Type` announces.
pub(crate) fn format_of_content_type(content_type: &str) -> Option<AudioFormat> {
    let essence = content_type.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => Some(AudioFormat::Wav),
        "audio/mpeg" | "audio/mp3" => Some(AudioFormat::Mp3),
        "audio/pcm" | "audio/l16" => Some(AudioFormat::Pcm),
        _ => None,
    }
}

/// The audio format a URL's extension announces.
pub(crate) fn format_of_extension(ext: &str) -> Option<AudioFormat> {
    match ext.to_ascii_lowercase().as_str() {
        "wav" => Some(AudioFormat::Wav),
        "mp3" => Some(AudioFormat::Mp3),
        "pcm" => Some(AudioFormat::Pcm),
        _ => None,
    }
}

/// Checks audio: never empty, never a page; WAV and MP3 by their header, PCM (raw samples,
/// no header) and an unknown format by those two rules alone. The error says what it is.
pub(crate) fn check_audio(head: &[u8], format: Option<&AudioFormat>) -> Result<(), String> {
    if head.is_empty() {
        return Err("the audio file is empty".into());
    }
    if is_markup(head) {
        return Err("the audio file is an HTML or XML page".into());
    }
    match format {
        Some(AudioFormat::Wav) if !is_wav(head) => {
            Err("the file announced as WAV has no RIFF/WAVE header".into())
        }
        Some(AudioFormat::Mp3) if !is_mp3(head) => {
            Err("the file announced as MP3 has neither an ID3 tag nor an MPEG frame sync".into())
        }
        _ => Ok(()),
    }
}

/// Checks a text file (subtitles, timestamps): never a page.
pub(crate) fn check_text(head: &[u8]) -> Result<(), String> {
    if is_markup(head) {
        return Err("the file is an HTML or XML page".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_is_checked_against_its_format() {
        let wav = b"RIFF\x24\0\0\0WAVEfmt ";
        assert!(check_audio(wav, Some(&AudioFormat::Wav)).is_ok());
        assert!(check_audio(b"ID3\x04\0", Some(&AudioFormat::Mp3)).is_ok());
        assert!(check_audio(b"\xFF\xFB\x90\x64", Some(&AudioFormat::Mp3)).is_ok());
        assert!(check_audio(b"\x01\x00\xFF\x7F", Some(&AudioFormat::Pcm)).is_ok());
        assert!(check_audio(wav, None).is_ok());

        assert!(check_audio(b"", Some(&AudioFormat::Pcm)).is_err());
        assert!(check_audio(b"ID3\x04", Some(&AudioFormat::Wav)).is_err());
        assert!(check_audio(wav, Some(&AudioFormat::Mp3)).is_err());
        assert!(check_audio(b"\xEF\xBB\xBF \n<!DOCTYPE html>", None).is_err());
        assert!(check_audio(b"<HTML><body>", Some(&AudioFormat::Pcm)).is_err());
        assert!(check_text(b"  <html>").is_err());
        assert!(check_text(b"1\n00:00:00,000 --> 00:00:01,000\nhi\n").is_ok());
    }

    #[test]
    fn formats_are_read_from_content_types_and_extensions() {
        assert_eq!(
            format_of_content_type("audio/x-wav; charset=binary"),
            Some(AudioFormat::Wav)
        );
        assert_eq!(format_of_content_type("audio/mpeg"), Some(AudioFormat::Mp3));
        assert_eq!(format_of_content_type("application/octet-stream"), None);
        assert_eq!(format_of_extension("MP3"), Some(AudioFormat::Mp3));
        assert_eq!(format_of_extension("sh"), None);
    }
}
