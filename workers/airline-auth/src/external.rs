//! Tokens from an external OpenID Connect issuer (Cognito, Auth0, Okta, ...), accepted
//! alongside our own when configured: its issuer, audience and JSON Web Key Set, and the
//! claim that lists a user's groups (e.g. `cognito:groups`) with the group that means
//! admin.
//!
//! The same rules as for our own tokens: the algorithm must be RS256, ES256 or EdDSA
//! *and* match the type of the key its `kid` names; symmetric keys are never accepted;
//! `exp` is required, `nbf` honoured, `iss` and `aud` must match.

use airline_domain::AccountId;
use chrono::{DateTime, Utc};
use jwt_compact::alg::{Ed25519, Es256, Rsa};
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{AlgorithmExt as _, Claims, Token, UntrustedToken};
use rsa::traits::PublicKeyParts as _;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::tokens::check_lifetime;
use crate::{Principal, Role, TokenError};

/// RSA keys shorter than this are refused when the key set is loaded.
const MIN_RSA_BITS: usize = 2048;

enum ExternalKey {
    Rsa(rsa::RsaPublicKey),
    Es256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl ExternalKey {
    fn algorithm(&self) -> &'static str {
        match self {
            Self::Rsa(_) => "RS256",
            Self::Es256(_) => "ES256",
            Self::Ed25519(_) => "EdDSA",
        }
    }
}

/// An external issuer's configuration, parsed once.
pub struct ExternalIssuer {
    issuer: String,
    audience: String,
    groups_claim: String,
    admin_group: String,
    keys: Vec<(String, ExternalKey)>,
}

#[derive(Deserialize)]
struct ExternalClaims {
    sub: String,
    iss: String,
    aud: Audience,
    #[serde(flatten)]
    other: Map<String, Value>,
}

/// `aud` is a string or an array of strings (RFC 7519 section 4.1.3).
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, audience: &str) -> bool {
        match self {
            Self::One(one) => one == audience,
            Self::Many(many) => many.iter().any(|a| a == audience),
        }
    }
}

impl ExternalIssuer {
    /// `jwks` is the issuer's key set document: `{"keys": [{"kid": ..., "kty": ...}, ...]}`.
    pub fn parse(
        issuer: &str,
        audience: &str,
        jwks: &str,
        groups_claim: &str,
        admin_group: &str,
    ) -> Result<Self, String> {
        let document: Value =
            serde_json::from_str(jwks).map_err(|e| format!("JWKS is not JSON: {e}"))?;
        let entries = document["keys"]
            .as_array()
            .ok_or("JWKS has no \"keys\" array")?;
        let mut keys = Vec::new();
        for entry in entries {
            let kid = entry["kid"]
                .as_str()
                .ok_or("every key in the JWKS needs a kid")?
                .to_owned();
            let jwk: JsonWebKey<'_> =
                serde_json::from_value(entry.clone()).map_err(|e| format!("key {kid}: {e}"))?;
            keys.push((
                kid.clone(),
                external_key(&jwk).map_err(|e| format!("key {kid}: {e}"))?,
            ));
        }
        if keys.is_empty() {
            return Err("JWKS has no keys".into());
        }
        if issuer.trim().is_empty() || audience.trim().is_empty() {
            return Err("the external issuer and audience must be set".into());
        }
        Ok(Self {
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            groups_claim: groups_claim.to_owned(),
            admin_group: admin_group.to_owned(),
            keys,
        })
    }

    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Principal, TokenError> {
        let untrusted = UntrustedToken::new(token).map_err(|_| TokenError::Malformed)?;
        let algorithm = untrusted.algorithm().to_owned();
        if !["RS256", "ES256", "EdDSA"].contains(&algorithm.as_str()) {
            return Err(TokenError::WrongAlgorithm(algorithm));
        }
        let kid = untrusted
            .header()
            .key_id
            .as_deref()
            .ok_or(TokenError::UnknownKey)?;
        let key = self
            .keys
            .iter()
            .find(|(id, _)| id == kid)
            .map(|(_, key)| key)
            .ok_or(TokenError::UnknownKey)?;
        if key.algorithm() != algorithm {
            return Err(TokenError::WrongAlgorithm(algorithm));
        }
        let token: Token<ExternalClaims> = match key {
            ExternalKey::Rsa(key) => Rsa::rs256().validator(key).validate(&untrusted),
            ExternalKey::Es256(key) => Es256.validator(key).validate(&untrusted),
            ExternalKey::Ed25519(key) => Ed25519.validator(key).validate(&untrusted),
        }
        .map_err(|e| match e {
            jwt_compact::ValidationError::MalformedClaims(_) => TokenError::Malformed,
            _ => TokenError::BadSignature,
        })?;
        self.check(token.claims(), now)
    }

    fn check(
        &self,
        claims: &Claims<ExternalClaims>,
        now: DateTime<Utc>,
    ) -> Result<Principal, TokenError> {
        check_lifetime(claims, now)?;
        let custom = &claims.custom;
        if custom.iss != self.issuer {
            return Err(TokenError::WrongIssuer);
        }
        if !custom.aud.contains(&self.audience) {
            return Err(TokenError::WrongAudience);
        }
        if custom.sub.is_empty() {
            return Err(TokenError::MissingClaim("sub"));
        }
        let admin = match custom.other.get(&self.groups_claim) {
            Some(Value::Array(groups)) => {
                groups.iter().any(|g| g.as_str() == Some(&self.admin_group))
            }
            Some(Value::String(group)) => group == &self.admin_group,
            _ => false,
        };
        Ok(Principal {
            // Namespaced so an external subject can never collide with a local account id.
            account_id: AccountId::trusted(format!("oidc:{}", custom.sub)),
            role: if admin { Role::Admin } else { Role::Customer },
        })
    }
}

fn external_key(jwk: &JsonWebKey<'_>) -> Result<ExternalKey, String> {
    match jwk {
        JsonWebKey::Rsa { .. } => {
            let key = rsa::RsaPublicKey::try_from(jwk).map_err(|e| e.to_string())?;
            if key.n().bits() < MIN_RSA_BITS {
                return Err(format!("RSA keys must have at least {MIN_RSA_BITS} bits"));
            }
            Ok(ExternalKey::Rsa(key))
        }
        JsonWebKey::EllipticCurve { curve, .. } if curve == "P-256" => {
            p256::ecdsa::VerifyingKey::try_from(jwk)
                .map(ExternalKey::Es256)
                .map_err(|e| e.to_string())
        }
        JsonWebKey::KeyPair { curve, .. } if curve == "Ed25519" => {
            ed25519_dalek::VerifyingKey::try_from(jwk)
                .map(ExternalKey::Ed25519)
                .map_err(|e| e.to_string())
        }
        JsonWebKey::Symmetric { .. } => Err("symmetric keys are not accepted".into()),
        other => Err(format!("unsupported key type {:?}", other.key_type())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use jwt_compact::Header;
    use jwt_compact::TimeOptions;
    use rsa::pkcs8::DecodePrivateKey as _;
    use serde_json::json;

    const ISSUER: &str = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example";
    const AUDIENCE: &str = "airline-web";

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    struct Keys {
        rsa: rsa::RsaPrivateKey,
        ec: p256::ecdsa::SigningKey,
        ed: ed25519_dalek::SigningKey,
    }

    fn keys() -> Keys {
        Keys {
            rsa: rsa::RsaPrivateKey::from_pkcs8_pem(include_str!("test_rsa_key.pem")).unwrap(),
            ec: p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap(),
            ed: ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]),
        }
    }

    fn jwks(keys: &Keys) -> String {
        let with_kid = |jwk: JsonWebKey<'_>, kid: &str| {
            let mut value = serde_json::to_value(jwk.to_verifying_key()).unwrap();
            value["kid"] = json!(kid);
            value
        };
        let rsa_public = keys.rsa.to_public_key();
        json!({"keys": [
            with_kid(JsonWebKey::from(&rsa_public), "rsa-1"),
            with_kid(JsonWebKey::from(keys.ec.verifying_key()), "ec-1"),
            with_kid(JsonWebKey::from(&keys.ed.verifying_key()), "ed-1"),
        ]})
        .to_string()
    }

    fn issuer(keys: &Keys) -> ExternalIssuer {
        ExternalIssuer::parse(ISSUER, AUDIENCE, &jwks(keys), "cognito:groups", "Admin").unwrap()
    }

    fn claims(extra: Value) -> Claims<Value> {
        let mut body = json!({"sub": "user-1", "iss": ISSUER, "aud": AUDIENCE, "cognito:groups": ["Travellers"]});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let options = TimeOptions::new(Duration::seconds(0), now);
        Claims::new(body).set_duration_and_issuance(&options, Duration::minutes(60))
    }

    fn sign(keys: &Keys, kid: &str, claims: &Claims<Value>) -> String {
        let header = Header::empty().with_key_id(kid);
        match kid {
            "rsa-1" => Rsa::rs256().token(&header, claims, &keys.rsa).unwrap(),
            "ec-1" => Es256.token(&header, claims, &keys.ec).unwrap(),
            _ => Ed25519.token(&header, claims, &keys.ed).unwrap(),
        }
    }

    #[test]
    fn tokens_signed_with_each_supported_algorithm_verify() {
        let keys = keys();
        let issuer = issuer(&keys);
        for kid in ["rsa-1", "ec-1", "ed-1"] {
            let token = sign(&keys, kid, &claims(json!({})));
            let principal = issuer.verify(&token, now()).unwrap();
            assert_eq!(principal.account_id, "oidc:user-1", "{kid}");
            assert_eq!(principal.role, Role::Customer);
        }
    }

    #[test]
    fn the_groups_claim_maps_to_roles_and_audiences_may_be_lists() {
        let keys = keys();
        let issuer = issuer(&keys);
        let admin = sign(
            &keys,
            "ec-1",
            &claims(json!({"cognito:groups": ["Admin", "Travellers"], "aud": ["other", AUDIENCE]})),
        );
        assert_eq!(issuer.verify(&admin, now()).unwrap().role, Role::Admin);
    }

    #[test]
    fn mismatches_are_refused() {
        let keys = keys();
        let issuer = issuer(&keys);
        let wrong_iss = sign(
            &keys,
            "rsa-1",
            &claims(json!({"iss": "https://evil.example"})),
        );
        assert_eq!(
            issuer.verify(&wrong_iss, now()),
            Err(TokenError::WrongIssuer)
        );
        let wrong_aud = sign(&keys, "rsa-1", &claims(json!({"aud": "billing"})));
        assert_eq!(
            issuer.verify(&wrong_aud, now()),
            Err(TokenError::WrongAudience)
        );
        let valid = sign(&keys, "ed-1", &claims(json!({})));
        assert_eq!(
            issuer.verify(&valid, now() + Duration::hours(2)),
            Err(TokenError::Expired)
        );
        // An ES256 signature under the kid of the RSA key: algorithm and key disagree.
        let header = Header::empty().with_key_id("rsa-1");
        let es_under_rsa_kid = Es256.token(&header, &claims(json!({})), &keys.ec).unwrap();
        assert_eq!(
            issuer.verify(&es_under_rsa_kid, now()),
            Err(TokenError::WrongAlgorithm("ES256".into()))
        );
        let unknown = Ed25519
            .token(
                &Header::empty().with_key_id("ed-9"),
                &claims(json!({})),
                &keys.ed,
            )
            .unwrap();
        assert_eq!(issuer.verify(&unknown, now()), Err(TokenError::UnknownKey));
    }

    #[test]
    fn bad_key_sets_are_refused_at_configuration() {
        let keys = keys();
        let parse = |jwks: &str| ExternalIssuer::parse(ISSUER, AUDIENCE, jwks, "groups", "admin");
        assert!(parse("not json").is_err());
        assert!(parse(r#"{"keys": []}"#).is_err());
        assert!(parse(r#"{"keys": [{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}]}"#).is_err());
        assert!(parse(&jwks(&keys).replace("\"kid\"", "\"nokid\"")).is_err());
        assert!(ExternalIssuer::parse("", AUDIENCE, &jwks(&keys), "g", "a").is_err());
    }
}
