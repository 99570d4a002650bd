//! SHA-256 and HMAC-SHA256 over whole messages, on `sha2`'s block function.
//!
//! The signer hashes messages it holds in full (the canonical request, the string to
//! sign), so it does not need a streaming hasher: the full blocks go to
//! [`compress256`] in one call, straight from the caller's bytes, and only the last
//! one or two blocks are padded on the stack. This skips the buffering of the
//! `Digest`/`Mac` types, and the HMAC key is two precomputed states (RFC 2104) instead
//! of a cloned `Hmac` value. [`Sha256Growing`] hashes the canonical request while it is
//! being written. `sha2` still picks the SHA-NI (or other hardware) path at run time.
//! The results are checked against `sha2`/`hmac` in the tests below and, for whole
//! signatures, against the official vectors and the `Digest`/`Mac` types
//! (`tests/vectors.rs`).

use sha2::block_api::compress256;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The SHA-256 initial hash value (FIPS 180-4, 5.3.3).
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

const BLOCK: usize = 64;

/// Hashes `data` on top of `state`, which has already absorbed `absorbed` bytes (a
/// multiple of 64), pads, and returns the digest.
fn finish(mut state: [u32; 8], absorbed: usize, data: &[u8]) -> [u8; 32] {
    let (blocks, tail) = data.as_chunks::<BLOCK>();
    if !blocks.is_empty() {
        compress256(&mut state, blocks);
    }
    let mut last = [[0u8; BLOCK]; 2];
    let n = if tail.len() < BLOCK - 8 { 1 } else { 2 };
    {
        let flat = last.as_flattened_mut();
        flat[..tail.len()].copy_from_slice(tail);
        flat[tail.len()] = 0x80;
        let bits = ((absorbed + data.len()) as u64).wrapping_mul(8);
        flat[n * BLOCK - 8..n * BLOCK].copy_from_slice(&bits.to_be_bytes());
    }
    compress256(&mut state, &last[..n]);
    let mut out = [0u8; 32];
    for (chunk, word) in out.as_chunks_mut::<4>().0.iter_mut().zip(state) {
        *chunk = word.to_be_bytes();
    }
    out
}

/// SHA-256 of a message that is written into a buffer while it is hashed: each call to
/// [`Sha256Growing::absorb`] hashes the blocks completed since the last one, so the
/// hashing overlaps the code that writes the rest.
pub(crate) struct Sha256Growing {
    state: [u32; 8],
    hashed: usize,
}

impl Sha256Growing {
    pub(crate) fn new() -> Self {
        Self {
            state: IV,
            hashed: 0,
        }
    }

    /// Hashes the complete blocks of `buffer` after those already hashed. `buffer` must
    /// start with the bytes given to the earlier calls.
    #[inline]
    pub(crate) fn absorb(&mut self, buffer: &[u8]) {
        if let Some(rest) = buffer.get(self.hashed..) {
            let (blocks, _) = rest.as_chunks::<BLOCK>();
            if !blocks.is_empty() {
                compress256(&mut self.state, blocks);
                self.hashed += blocks.len() * BLOCK;
            }
        }
    }

    /// The digest of the whole `buffer`, which must start with the bytes given to
    /// [`Sha256Growing::absorb`].
    pub(crate) fn finish(self, buffer: &[u8]) -> [u8; 32] {
        finish(
            self.state,
            self.hashed,
            buffer.get(self.hashed..).unwrap_or(&[]),
        )
    }
}

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    finish(IV, 0, data)
}

/// An HMAC-SHA256 key: the hash states after absorbing the inner and outer padded key
/// blocks. Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct HmacSha256Key {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl HmacSha256Key {
    /// Prepares `key` (any length; longer than a block is hashed first, as RFC 2104
    /// says).
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut block = [0u8; BLOCK];
        if key.len() > BLOCK {
            let mut digest = sha256(key);
            block[..32].copy_from_slice(&digest);
            digest.zeroize();
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let mut pad = [0u8; BLOCK];
        for (p, k) in pad.iter_mut().zip(&block) {
            *p = k ^ 0x36;
        }
        let mut inner = IV;
        compress256(&mut inner, &[pad]);
        for (p, k) in pad.iter_mut().zip(&block) {
            *p = k ^ 0x5c;
        }
        let mut outer = IV;
        compress256(&mut outer, &[pad]);
        pad.zeroize();
        block.zeroize();
        Self { inner, outer }
    }

    /// HMAC-SHA256 of `message`.
    pub(crate) fn mac(&self, message: &[u8]) -> [u8; 32] {
        let inner = finish(self.inner, BLOCK, message);
        finish(self.outer, BLOCK, &inner)
    }
}

#[cfg(test)]
mod tests {
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::{Digest, Sha256};

    use super::*;

    #[test]
    fn sha256_matches_sha2_at_every_length_around_the_block_edges() {
        let data: Vec<u8> = (0..=600u32).map(|i| (i * 131 % 251) as u8).collect();
        for len in 0..data.len() {
            let expected: [u8; 32] = Sha256::digest(&data[..len]).into();
            assert_eq!(sha256(&data[..len]), expected, "{len}");
        }
    }

    #[test]
    fn growing_hash_matches_sha2_whatever_the_absorb_points() {
        let data: Vec<u8> = (0..=300u32).map(|i| (i * 131 % 251) as u8).collect();
        for len in [0, 1, 63, 64, 65, 127, 128, 200, 300] {
            let expected: [u8; 32] = Sha256::digest(&data[..len]).into();
            for step in [1, 7, 64, 100] {
                let mut sha = Sha256Growing::new();
                let mut written = 0;
                while written < len {
                    written = (written + step).min(len);
                    sha.absorb(&data[..written]);
                }
                assert_eq!(sha.finish(&data[..len]), expected, "{len} {step}");
            }
        }
    }

    #[test]
    fn hmac_matches_the_hmac_crate_for_short_block_and_long_keys() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 % 256) as u8).collect();
        for key_len in [0, 1, 20, 41, 63, 64, 65, 100, 200] {
            let key = &data[..key_len];
            let prepared = HmacSha256Key::new(key);
            for len in [0, 1, 55, 56, 63, 64, 97, 119, 120, 128, 200, 299] {
                let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any length");
                mac.update(&data[..len]);
                let expected: [u8; 32] = mac.finalize().into_bytes().into();
                assert_eq!(prepared.mac(&data[..len]), expected, "{key_len} {len}");
            }
        }
    }
}
