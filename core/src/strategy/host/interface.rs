//! Which version of the `ssmpatch:strategy` interface a component was built for, read from its
//! bytes once it has compiled and before it is linked or run, so a component of another version
//! is refused with an error that names both versions instead of a linking error about a missing
//! export.
//!
//! The SDK (`ssmpatch-strategy-sdk`) stamps its version into a custom section
//! ([`INTERFACE_SECTION`]) of every strategy. A component built without the SDK is recognised by
//! the versioned name under which it imports the interface's types
//! (`ssmpatch:strategy/types@<version>`). The compatibility rule is [`compatible`], in one place.

use super::super::error::StrategyError;

/// The interface version this host implements: the `package` line of `wit/strategy.wit`.
pub const INTERFACE_VERSION: &str = "0.1.0";

/// The custom section in which the SDK stamps the interface version.
pub const INTERFACE_SECTION: &str = "ssmpatch:strategy-interface";

/// How a component names the interface's types when it imports them.
const TYPES_IMPORT: &str = "ssmpatch:strategy/types@";

/// Whether a component built for interface `found` can run on this host. Exact match: within
/// `0.x` the component model treats every minor version as incompatible, and the host has one
/// set of bindings. (When the host learns to load several versions, this is the place.)
pub fn compatible(found: &str) -> bool {
    found == INTERFACE_VERSION
}

/// Refuses a strategy unless it was built for a [`compatible`] interface version. `original` is
/// what was loaded (a component, or a core module made with the SDK), `component` the component
/// made of it (the same bytes for a component); both have compiled, so both are WebAssembly.
pub(super) fn check(name: &str, original: &[u8], component: &[u8]) -> Result<(), StrategyError> {
    let found = match version_of(original) {
        Ok(None) if !std::ptr::eq(component, original) => version_of(component),
        found => found,
    };
    let found = found.map_err(|reason| StrategyError::Invalid { name: name.into(), reason })?;
    match found {
        Some(found) if compatible(&found) => Ok(()),
        Some(found) => Err(StrategyError::InterfaceVersion { name: name.into(), found, expected: INTERFACE_VERSION }),
        None => Err(StrategyError::Invalid {
            name: name.into(),
            reason: format!(
                "it is not a strategy: it carries no `{INTERFACE_SECTION}` section and does not import \
                 `{TYPES_IMPORT}{INTERFACE_VERSION}` (build it with ssmpatch-strategy-sdk)"
            ),
        }),
    }
}

/// The interface version `bytes` were built for: the SDK's stamp, else the version of the types
/// import; `None` when neither is there. `Err` when the bytes are not WebAssembly.
fn version_of(bytes: &[u8]) -> Result<Option<String>, String> {
    use wasmparser::{Parser, Payload};
    let mut imported = None;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| format!("not a WebAssembly component or module: {e}"))? {
            Payload::CustomSection(section) if section.name() == INTERFACE_SECTION => {
                let stamp = std::str::from_utf8(section.data())
                    .map_err(|_| format!("its `{INTERFACE_SECTION}` section is not UTF-8"))?;
                return Ok(Some(stamp.trim().to_string()));
            }
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    let import = import.map_err(|e| format!("not a WebAssembly component: {e}"))?;
                    if let Some(v) = import.name.name.strip_prefix(TYPES_IMPORT) {
                        imported.get_or_insert_with(|| v.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_version_is_the_wit_package_version() {
        let wit = include_str!("../../../wit/strategy.wit");
        let package = wit.lines().find(|l| l.starts_with("package ")).expect("package line");
        assert_eq!(package, format!("package ssmpatch:strategy@{INTERFACE_VERSION};"));
    }

    #[test]
    fn only_the_same_version_is_compatible() {
        assert!(compatible("0.1.0"));
        for other in ["0.2.0", "1.0.0", "0.1", "", "0.1.0-rc1"] {
            assert!(!compatible(other), "{other}");
        }
    }

    #[test]
    fn garbage_is_not_webassembly() {
        assert!(version_of(b"\0asm\x01\0\0\0\xff\xff").is_err());
        assert_eq!(version_of(b"\0asm\x01\0\0\0"), Ok(None));
    }
}
