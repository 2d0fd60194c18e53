//! Sealing at rest: XChaCha20-Poly1305 with the row's identity as associated data.
//!
//! The instance master key wraps one data key per member; data keys seal the member's fields.
//! Binding each sealed value to its table, column and row means a value copied into another
//! row does not open. Destroying a member's wrapped key makes all their sealed data unreadable.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the system's random number generator failed")]
    Random,
    #[error("a sealed value could not be opened: wrong key, or it was moved or altered")]
    Open,
    #[error("a master key must be exactly 32 bytes")]
    KeyLength,
}

/// A 256-bit key. Zeroed when dropped.
struct Key(Zeroizing<[u8; KEY_BYTES]>);

impl Key {
    fn generate() -> Result<Self, SealError> {
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        getrandom::fill(bytes.as_mut()).map_err(|_| SealError::Random)?;
        Ok(Self(bytes))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.0).into())
    }

    /// `nonce || ciphertext+tag`; a random 192-bit nonce never repeats in practice.
    fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|_| SealError::Random)?;
        let nonce = XNonce::from(nonce);
        let ciphertext = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .map_err(|_| SealError::Open)?;
        let mut sealed = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// SHA-256 over the key, the field, the row and the value: the same input, the same tag;
    /// without the key, no way from the tag to the value.
    fn tag(&self, field: &str, row: &[u8], value: &[u8]) -> [u8; 32] {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        hasher.update(b"tend tag v1\0");
        hasher.update(self.0.as_slice());
        hasher.update(context(field, row));
        hasher.update([0]);
        hasher.update(value);
        hasher.finalize().into()
    }

    fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        if sealed.len() < NONCE_BYTES {
            return Err(SealError::Open);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| SealError::Open)?;
        self.cipher()
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError::Open)
    }
}

/// The instance master key (`master.key`): it only wraps data keys and seals the key check.
pub struct MasterKey(Key);

impl MasterKey {
    pub const BYTES: usize = KEY_BYTES;

    pub fn generate() -> Result<Self, SealError> {
        Key::generate().map(Self)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SealError> {
        let bytes: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| SealError::KeyLength)?;
        Ok(Self(Key(Zeroizing::new(bytes))))
    }

    /// The raw bytes, to write the key file once.
    pub fn to_bytes(&self) -> Zeroizing<[u8; KEY_BYTES]> {
        self.0.0.clone()
    }

    pub(crate) fn wrap(&self, data_key: &DataKey, owner: &[u8]) -> Result<Vec<u8>, SealError> {
        self.0
            .seal(data_key.0.0.as_ref(), &context("data-key", owner))
    }

    pub(crate) fn unwrap_key(&self, wrapped: &[u8], owner: &[u8]) -> Result<DataKey, SealError> {
        let bytes = self.0.open(wrapped, &context("data-key", owner))?;
        let bytes: [u8; KEY_BYTES] = bytes.as_slice().try_into().map_err(|_| SealError::Open)?;
        Ok(DataKey(Key(Zeroizing::new(bytes))))
    }

    /// A value that opens only with this master key (see the keystore's `master_key_check`).
    pub(crate) fn seal_check(&self) -> Result<Vec<u8>, SealError> {
        self.0.seal(CHECK, b"master-key-check")
    }

    /// HMAC-SHA-256 under the master key, over the field and the row: for ids made from
    /// other ids, so that a stolen database cannot tell what they were made from (the master
    /// key is not in it).
    pub(crate) fn mac(&self, field: &str, row: &[u8]) -> Result<[u8; 32], SealError> {
        use hmac::{KeyInit, Mac};
        // HMAC takes a key of any length: this never fails.
        let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(self.0.0.as_slice())
            .map_err(|_| SealError::KeyLength)?;
        mac.update(&context(field, row));
        Ok(mac.finalize().into_bytes().into())
    }

    pub(crate) fn opens_check(&self, sealed: &[u8]) -> bool {
        self.0
            .open(sealed, b"master-key-check")
            .is_ok_and(|plain| plain.as_slice() == CHECK)
    }
}

const CHECK: &[u8] = b"tend master key check v1";

/// One member's (later: one circle's) data key.
pub struct DataKey(Key);

impl DataKey {
    pub fn generate() -> Result<Self, SealError> {
        Key::generate().map(Self)
    }

    /// Seals `plaintext` for one field of one row, e.g. `("members.pronouns", member_id)`.
    pub fn seal(&self, field: &str, row: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        self.0.seal(plaintext, &context(field, row))
    }

    pub fn open(
        &self,
        field: &str,
        row: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, SealError> {
        self.0.open(sealed, &context(field, row))
    }

    /// A name for a row that only the key's holder can make: the same `value` of one `field`
    /// and row always gives the same tag, and the tag says nothing of the value. Rows keyed
    /// by a tag (a member's sharing choice per section) can be written one by one without
    /// showing, in a backup, which value each is about.
    pub fn tag(&self, field: &str, row: &[u8], value: &[u8]) -> [u8; 32] {
        self.0.tag(field, row, value)
    }
}

/// Associated data: the field name, a separator that cannot occur in it, and the row id.
fn context(field: &str, row: &[u8]) -> Vec<u8> {
    let mut context = Vec::with_capacity(field.len() + 1 + row.len());
    context.extend_from_slice(field.as_bytes());
    context.push(0);
    context.extend_from_slice(row);
    context
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_is_the_same_for_the_same_value_and_key_and_differs_otherwise() {
        let key = DataKey::generate().unwrap();
        let tag = key.tag("circle_sharing.slot", b"row-1", b"trigger");
        assert_eq!(tag, key.tag("circle_sharing.slot", b"row-1", b"trigger"));
        assert_ne!(tag, key.tag("circle_sharing.slot", b"row-1", b"hard-limit"));
        assert_ne!(tag, key.tag("circle_sharing.slot", b"row-2", b"trigger"));
        let other = DataKey::generate().unwrap();
        assert_ne!(tag, other.tag("circle_sharing.slot", b"row-1", b"trigger"));
    }

    #[test]
    fn a_sealed_value_opens_only_in_its_own_field_and_row() {
        let key = DataKey::generate().unwrap();
        let sealed = key
            .seal("members.pronouns", b"row-1", b"they/them")
            .unwrap();
        assert_eq!(
            key.open("members.pronouns", b"row-1", &sealed)
                .unwrap()
                .as_slice(),
            b"they/them"
        );
        assert!(key.open("members.pronouns", b"row-2", &sealed).is_err());
        assert!(key.open("members.display_name", b"row-1", &sealed).is_err());
        assert!(
            DataKey::generate()
                .unwrap()
                .open("members.pronouns", b"row-1", &sealed)
                .is_err()
        );
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts_without_the_plaintext() {
        let key = DataKey::generate().unwrap();
        let a = key.seal("f", b"r", b"distinctive text").unwrap();
        let b = key.seal("f", b"r", b"distinctive text").unwrap();
        assert_ne!(a, b);
        assert!(!a.windows(11).any(|w| w == b"distinctive"));
    }

    #[test]
    fn a_wrapped_data_key_unwraps_only_with_its_master_key_and_owner() {
        let master = MasterKey::generate().unwrap();
        let data = DataKey::generate().unwrap();
        let wrapped = master.wrap(&data, b"member-1").unwrap();
        let unwrapped = master.unwrap_key(&wrapped, b"member-1").unwrap();
        let sealed = data.seal("f", b"r", b"x").unwrap();
        assert_eq!(unwrapped.open("f", b"r", &sealed).unwrap().as_slice(), b"x");
        assert!(master.unwrap_key(&wrapped, b"member-2").is_err());
        assert!(
            MasterKey::generate()
                .unwrap()
                .unwrap_key(&wrapped, b"member-1")
                .is_err()
        );
    }

    #[test]
    fn the_key_check_tells_master_keys_apart() {
        let master = MasterKey::generate().unwrap();
        let check = master.seal_check().unwrap();
        assert!(master.opens_check(&check));
        let same = MasterKey::from_bytes(master.to_bytes().as_ref()).unwrap();
        assert!(same.opens_check(&check));
        assert!(!MasterKey::generate().unwrap().opens_check(&check));
        assert!(MasterKey::from_bytes(&[0; 31]).is_err());
    }
}
