//! `ssmpatch strategy new NAME`: a strategy crate that builds wherever it is created.
//!
//! The crate carries its own copy of the strategy SDK (`sdk/`: the SDK's source, its WIT and a
//! manifest with the workspace's inherited fields written out), embedded in this binary when it
//! was built, and a `Cargo.lock` holding exactly the SDK's dependencies at the versions this
//! repository builds the shipped strategies with (`wasm-policies/Cargo.lock`). Nothing in it
//! names the checkout ssmpatch was built from, so it builds offline from the crates already in
//! Cargo's cache. `--sdk PATH` uses a local SDK instead, after checking that it is one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ssmpatch::input;
use toml::{Table, Value};

use crate::args::StrategyNewArgs;
use crate::error::CliError;
use crate::printer::Printer;

/// The SDK's crate name.
const SDK_NAME: &str = "ssmpatch-strategy-sdk";
/// The SDK, as this binary was built with it (wasm-policies/sdk and its workspace).
const SDK_MANIFEST: &str = include_str!("../../../wasm-policies/sdk/Cargo.toml");
const SDK_LIB: &str = include_str!("../../../wasm-policies/sdk/src/lib.rs");
const SDK_WIT: &str = include_str!("../../../wasm-policies/sdk/wit/strategy.wit");
const SDK_README: &str = include_str!("../../../wasm-policies/sdk/README.md");
const WORKSPACE_MANIFEST: &str = include_str!("../../../wasm-policies/Cargo.toml");
const WORKSPACE_LOCK: &str = include_str!("../../../wasm-policies/Cargo.lock");

/// The embedded SDK made standalone: its manifest, its version and its lock entries.
#[derive(Debug)]
struct EmbeddedSdk {
    manifest: String,
    version: String,
}

/// Names whose library target (`-` → `_`) would be a Rust keyword or a crate every build links
/// (`fn`, `self`, `std`, `test`, ...): the scaffold would not build.
const RESERVED: &[&str] = &[
    "abstract",
    "alloc",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "core",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "proc_macro",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "std",
    "struct",
    "super",
    "test",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
];

/// A name `strategy new` scaffolds: a crate name that builds.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name != SDK_NAME
        && !RESERVED.contains(&name.replace('-', "_").as_str())
}

pub fn new(a: StrategyNewArgs, out: &Printer) -> Result<ExitCode, CliError> {
    if !valid_name(&a.name) {
        return Err(CliError::Input(
            format!("`{}` is not a crate name ssmpatch scaffolds", input::echo(&a.name)),
            Some(
                "use lowercase letters, digits and `-`, starting with a letter and not a Rust keyword, e.g. `critical-only`"
                    .into(),
            ),
        ));
    }
    let embedded = embedded_sdk().map_err(|e| CliError::Other(anyhow::anyhow!("the embedded strategy SDK: {e}")))?;
    let local = match &a.sdk {
        Some(p) => Some(check_sdk(p, &embedded.version)?),
        None => None,
    };
    let dir = a.dir.join(&a.name);
    if dir.exists() {
        return Err(CliError::Input(
            format!("`{}` already exists", dir.display()),
            Some("choose another name or --dir".into()),
        ));
    }
    let module = a.name.replace('-', "_");
    let sdk_dep = match &local {
        Some(p) => format!("{{ path = {} }}", toml_string(&p.display().to_string())),
        None => format!("{{ path = \"sdk\", version = \"{}\" }}", embedded.version),
    };
    let lock = lock_file(&a.name, &embedded.version).map_err(|e| {
        CliError::Input(
            format!("cannot scaffold `{}`: {e}", input::echo(&a.name)),
            Some("choose another name, e.g. `critical-only`".into()),
        )
    })?;
    let mut files: Vec<(PathBuf, String)> = vec![
        (PathBuf::from("Cargo.toml"), cargo_toml(&a.name, &sdk_dep)),
        (PathBuf::from("Cargo.lock"), lock),
        (PathBuf::from("src/lib.rs"), lib_rs(&a.name, &module)),
        (PathBuf::from("README.md"), readme(&a.name, &module, &embedded.version, local.as_deref())),
        (PathBuf::from(".gitignore"), "/target\n".into()),
    ];
    if local.is_none() {
        files.extend([
            (PathBuf::from("sdk/Cargo.toml"), embedded.manifest.clone()),
            (PathBuf::from("sdk/src/lib.rs"), SDK_LIB.to_string()),
            (PathBuf::from("sdk/wit/strategy.wit"), SDK_WIT.to_string()),
            (PathBuf::from("sdk/README.md"), SDK_README.to_string()),
        ]);
    }
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| CliError::Input(format!("cannot create {}: {e}", parent.display()), None))?;
        }
        std::fs::write(&path, text)
            .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display()), None))?;
    }
    match &local {
        Some(p) => out.line(&format!("created {} (SDK: {}) — build it with:", dir.display(), p.display())),
        None => out.line(&format!("created {} (SDK {} in sdk/) — build it with:", dir.display(), embedded.version)),
    }
    out.line(&format!("  cd {} && cargo build --release --target wasm32-wasip2", dir.display()));
    out.line(&format!("  ssmpatch strategy test target/wasm32-wasip2/release/{module}.wasm --output-file STDOUT.txt"));
    Ok(ExitCode::SUCCESS)
}

fn cargo_toml(name: &str, sdk_dep: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\nrust-version = \"1.85\"\npublish = false\n\n[lib]\n\
         crate-type = [\"cdylib\"]\n\n[dependencies]\n{SDK_NAME} = {sdk_dep}\n\n[profile.release]\nopt-level = \"s\"\n\
         lto = true\npanic = \"abort\"\nstrip = true\n\n\
         # A workspace of its own (sdk/ is its member), so it builds wherever it is created.\n[workspace]\n"
    )
}

fn lib_rs(name: &str, module: &str) -> String {
    format!(
        r#"//! `{name}`: a compliance strategy for ssmpatch.
//!
//! Build: `cargo build --release --target wasm32-wasip2`
//! Try:   `ssmpatch strategy test target/wasm32-wasip2/release/{module}.wasm --output-file STDOUT.txt`
//!
//! This one writes nothing: for each node it reports the packages the run left not compliant,
//! by state, with the highest vendor severity among them (`VendorSeverity`, the SDK's one scale
//! over every OS's names). Replace the messages with `Action::PutCompliance` or
//! `Action::StartScan` when you know what your team wants recorded.

use ssmpatch_strategy_sdk::{{Action, PlanInfo, RunResult, Strategy, VendorSeverity, export_strategy, package_report}};

struct MyStrategy;

impl Strategy for MyStrategy {{
    fn after_run(plan: PlanInfo, runs: Vec<RunResult>) -> Result<Vec<Action>, String> {{
        let mut actions = Vec::new();
        for run in &runs {{
            let Some(packages) = package_report(run) else {{
                actions.push(Action::Message(format!("{{}}: no complete package report", run.instance_id)));
                continue;
            }};
            if packages.is_empty() {{
                actions.push(Action::Message(format!("{{}}: every package compliant", run.instance_id)));
                continue;
            }}
            let mut lines = Vec::new();
            for state in ["Failed", "Missing", "InstalledPendingReboot", "InstalledRejected"] {{
                let ids: Vec<&str> = packages.iter().filter(|p| p.state == state).map(|p| p.id.as_str()).collect();
                if !ids.is_empty() {{
                    lines.push(format!("{{state}}: {{}}", ids.join(", ")));
                }}
            }}
            let highest = packages.iter().map(|p| VendorSeverity::of(&p.patch_severity)).max();
            actions.push(Action::Message(format!(
                "{{}} ({{}}): {{}}; highest vendor severity {{:?}}",
                run.instance_id,
                plan.name,
                lines.join("; "),
                highest.unwrap_or(VendorSeverity::Unspecified)
            )));
        }}
        Ok(actions)
    }}
}}

export_strategy!(MyStrategy);
"#
    )
}

fn readme(name: &str, module: &str, version: &str, local: Option<&Path>) -> String {
    let sdk = match local {
        Some(p) => format!("the SDK at `{}` (given with `--sdk`)", p.display()),
        None => format!(
            "`sdk/`, a copy of `{SDK_NAME}` {version} (interface `ssmpatch:strategy@{version}`, its WIT in \
             `sdk/wit/strategy.wit`) written by `ssmpatch strategy new`"
        ),
    };
    format!(
        "# {name}\n\nA compliance strategy for ssmpatch. It builds with {sdk}, and `Cargo.lock` pins the SDK's \
         dependencies to the versions ssmpatch's own strategies are built with.\n\n\
         Needs Rust with edition 2024 (1.85 or later) and the `wasm32-wasip2` target \
         (`rustup target add wasm32-wasip2`). The first build downloads the SDK's dependencies (wit-bindgen, \
         sha2 and theirs); later builds, or a machine that has them in Cargo's cache, work offline \
         (`CARGO_NET_OFFLINE=true`).\n\n\
         ```sh\ncargo build --release --target wasm32-wasip2 --locked\n\
         ssmpatch strategy test target/wasm32-wasip2/release/{module}.wasm --output-file STDOUT.txt   # one node's \
         AWS-RunPatchBaseline stdout\n```\n\n\
         Then name the `.wasm` in a plan: `[compliance] strategy = \"PATH/{module}.wasm\"`. The SDK's README and \
         ssmpatch's `docs/strategy-authoring.md` describe the interface, the helpers and the sandbox.\n"
    )
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// The embedded SDK's manifest with every `workspace = true` field written out from the
/// embedded workspace manifest, so it is a package of its own.
fn embedded_sdk() -> Result<EmbeddedSdk, String> {
    let workspace: Table = WORKSPACE_MANIFEST.parse().map_err(|e| format!("wasm-policies/Cargo.toml: {e}"))?;
    let ws = workspace.get("workspace").and_then(Value::as_table).ok_or("no [workspace]")?;
    let ws_package = ws.get("package").and_then(Value::as_table).cloned().unwrap_or_default();
    let ws_deps = ws.get("dependencies").and_then(Value::as_table).cloned().unwrap_or_default();
    let mut sdk: Table = SDK_MANIFEST.parse().map_err(|e| format!("wasm-policies/sdk/Cargo.toml: {e}"))?;
    if let Some(Value::Table(package)) = sdk.get_mut("package") {
        for (key, value) in package.iter_mut() {
            if is_inherited(value) {
                *value =
                    ws_package.get(key.as_str()).cloned().ok_or(format!("package.{key} is not in the workspace"))?;
            }
        }
    }
    for section in ["dependencies", "build-dependencies", "dev-dependencies"] {
        if let Some(Value::Table(deps)) = sdk.get_mut(section) {
            for (key, value) in deps.iter_mut() {
                if is_inherited(value) {
                    *value = inherit_dependency(ws_deps.get(key.as_str()), value)
                        .ok_or(format!("{section}.{key} is not in the workspace"))?;
                }
            }
        }
    }
    sdk.remove("dev-dependencies");
    let version = sdk
        .get("package")
        .and_then(|p| p.get("version"))
        .and_then(Value::as_str)
        .ok_or("no package.version")?
        .to_string();
    let mut manifest = format!(
        "# {SDK_NAME} {version}, copied by `ssmpatch strategy new` (ssmpatch {}); the fields it inherited from \
         ssmpatch's wasm-policies workspace are written out.\n",
        env!("CARGO_PKG_VERSION"),
    );
    // [package] first, then the rest in their (sorted) order.
    let mut sections: Vec<(&String, &Value)> = sdk.iter().collect();
    sections.sort_by_key(|(k, _)| k.as_str() != "package");
    for (key, value) in sections {
        let mut one = Table::new();
        one.insert(key.clone(), value.clone());
        manifest.push_str(&toml::to_string(&one).map_err(|e| e.to_string())?);
        manifest.push('\n');
    }
    Ok(EmbeddedSdk { manifest, version })
}

fn is_inherited(v: &Value) -> bool {
    v.get("workspace").and_then(Value::as_bool) == Some(true)
}

/// A `{ workspace = true, features = [...], optional = ... }` dependency over the workspace's.
fn inherit_dependency(from: Option<&Value>, here: &Value) -> Option<Value> {
    let mut dep = match from? {
        Value::String(v) => {
            let mut t = Table::new();
            t.insert("version".into(), Value::String(v.clone()));
            t
        }
        Value::Table(t) => t.clone(),
        _ => return None,
    };
    for (key, value) in here.as_table()? {
        match key.as_str() {
            "workspace" => {}
            "features" => {
                let mut all: Vec<Value> = dep.get("features").and_then(Value::as_array).cloned().unwrap_or_default();
                all.extend(value.as_array().cloned().unwrap_or_default());
                dep.insert("features".into(), Value::Array(all));
            }
            _ => {
                dep.insert(key.clone(), value.clone());
            }
        }
    }
    Some(Value::Table(dep))
}

/// One `[[package]]` of a Cargo.lock.
#[derive(Debug, Clone)]
struct Locked {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    dependencies: Vec<String>,
}

/// A Cargo.lock for the new crate: the embedded lock's entries the SDK needs (its dependencies,
/// transitively, at the versions locked there), the SDK and the crate itself.
fn lock_file(name: &str, sdk_version: &str) -> Result<String, String> {
    let lock: Table = WORKSPACE_LOCK.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let format = lock.get("version").and_then(Value::as_integer).ok_or("no lock file version")?;
    let packages: Vec<Locked> = lock
        .get("package")
        .and_then(Value::as_array)
        .ok_or("no [[package]]")?
        .iter()
        .map(|p| {
            let s = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
            Ok(Locked {
                name: s("name").ok_or("a package without a name")?,
                version: s("version").ok_or("a package without a version")?,
                source: s("source"),
                checksum: s("checksum"),
                dependencies: p
                    .get("dependencies")
                    .and_then(Value::as_array)
                    .map(|d| d.iter().filter_map(Value::as_str).map(str::to_string).collect())
                    .unwrap_or_default(),
            })
        })
        .collect::<Result<_, String>>()?;
    // A dependency is written `name`, `name version` or `name version (source)`.
    let find = |dep: &str| -> Result<&Locked, String> {
        let mut parts = dep.split(' ');
        let (n, v) = (parts.next().unwrap_or_default(), parts.next());
        packages
            .iter()
            .find(|p| p.name == n && v.is_none_or(|v| p.version == v))
            .ok_or(format!("`{dep}` is not locked"))
    };
    let sdk = find(SDK_NAME)?;
    let mut keep: BTreeMap<(String, String), Locked> = BTreeMap::new();
    let mut todo: Vec<&Locked> = vec![sdk];
    let mut seen = BTreeSet::new();
    while let Some(p) = todo.pop() {
        if !seen.insert((p.name.clone(), p.version.clone())) {
            continue;
        }
        keep.insert((p.name.clone(), p.version.clone()), p.clone());
        for d in &p.dependencies {
            todo.push(find(d)?);
        }
    }
    if keep.keys().any(|(n, _)| n == name) {
        return Err(format!("`{name}` is the name of a crate the SDK depends on"));
    }
    if let Some(s) = keep.get_mut(&(SDK_NAME.to_string(), sdk.version.clone())) {
        s.version = sdk_version.to_string();
    }
    keep.insert(
        (name.to_string(), "0.1.0".into()),
        Locked {
            name: name.into(),
            version: "0.1.0".into(),
            source: None,
            checksum: None,
            dependencies: vec![SDK_NAME.into()],
        },
    );
    // Cargo writes `name version` only where the lock holds two versions of `name`.
    let mut versions: BTreeMap<String, usize> = BTreeMap::new();
    for p in keep.values() {
        *versions.entry(p.name.clone()).or_default() += 1;
    }
    for p in keep.values_mut() {
        for d in &mut p.dependencies {
            let n = d.split(' ').next().unwrap_or_default().to_string();
            if versions.get(&n) == Some(&1) {
                *d = n;
            }
        }
    }
    let mut out = format!(
        "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = {format}\n"
    );
    for p in keep.values() {
        out.push_str(&format!(
            "\n[[package]]\nname = {}\nversion = {}\n",
            toml_string(&p.name),
            toml_string(&p.version)
        ));
        if let Some(s) = &p.source {
            out.push_str(&format!("source = {}\n", toml_string(s)));
        }
        if let Some(c) = &p.checksum {
            out.push_str(&format!("checksum = {}\n", toml_string(c)));
        }
        if !p.dependencies.is_empty() {
            out.push_str("dependencies = [\n");
            for d in &p.dependencies {
                out.push_str(&format!(" {},\n", toml_string(d)));
            }
            out.push_str("]\n");
        }
    }
    Ok(out)
}

/// `--sdk PATH`: a directory holding the SDK crate (its name) at a version this ssmpatch
/// scaffolds for (the same `0.minor`, or the same major from 1.0), with the same interface.
fn check_sdk(path: &Path, want: &str) -> Result<PathBuf, CliError> {
    let shown = path.display();
    let bad = |what: String| {
        CliError::Input(
            format!("--sdk {shown}: {what}"),
            Some(format!(
                "give the directory of the `{SDK_NAME}` crate (version {}), or leave --sdk out to use the copy \
                 built into ssmpatch",
                compatible_range(want)
            )),
        )
    };
    let dir = path.canonicalize().map_err(|e| bad(format!("no such directory ({e})")))?;
    if !dir.is_dir() {
        return Err(bad("not a directory".into()));
    }
    let manifest_path = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest_path).map_err(|e| bad(format!("no readable Cargo.toml ({e})")))?;
    let manifest: Table = text.parse().map_err(|e| bad(format!("Cargo.toml is not valid TOML: {e}")))?;
    let package =
        manifest.get("package").and_then(Value::as_table).ok_or_else(|| bad("Cargo.toml has no [package]".into()))?;
    let name = package.get("name").and_then(Value::as_str).unwrap_or_default();
    if name != SDK_NAME {
        return Err(bad(format!("this is the crate `{}`, not `{SDK_NAME}`", input::echo(name))));
    }
    let version = match package.get("version") {
        Some(Value::String(v)) => v.clone(),
        Some(v) if is_inherited(v) => workspace_version(&dir)
            .ok_or_else(|| bad("its version is inherited from a workspace whose version was not found".into()))?,
        _ => return Err(bad("Cargo.toml has no package.version".into())),
    };
    if !compatible(&version, want) {
        return Err(bad(format!(
            "{SDK_NAME} {} is not compatible with this ssmpatch, which scaffolds for {}",
            input::echo(&version),
            compatible_range(want)
        )));
    }
    let wit = std::fs::read_to_string(dir.join("wit/strategy.wit"))
        .map_err(|e| bad(format!("no readable wit/strategy.wit ({e})")))?;
    let (theirs, ours) = (wit_package(&wit), wit_package(SDK_WIT));
    if theirs != ours {
        return Err(bad(format!(
            "its wit/strategy.wit is the interface {}, and this ssmpatch runs {}",
            theirs.map_or("(no package line)".into(), input::echo),
            ours.unwrap_or_default()
        )));
    }
    Ok(dir)
}

/// The `package ...;` of a WIT file.
fn wit_package(wit: &str) -> Option<&str> {
    wit.lines().find_map(|l| l.trim().strip_prefix("package ")).map(|p| p.trim_end_matches(';').trim())
}

/// `workspace.package.version` of the nearest enclosing workspace.
fn workspace_version(dir: &Path) -> Option<String> {
    dir.ancestors().skip(1).find_map(|d| {
        let t: Table = std::fs::read_to_string(d.join("Cargo.toml")).ok()?.parse().ok()?;
        let v = t.get("workspace")?.get("package")?.get("version")?.as_str()?;
        Some(v.to_string())
    })
}

fn numbers(v: &str) -> Option<(u64, u64)> {
    let core = v.split(['-', '+']).next()?;
    let mut it = core.split('.');
    let major = it.next()?.parse().ok()?;
    let minor = it.next()?.parse().ok()?;
    it.next()?.parse::<u64>().ok()?;
    Some((major, minor))
}

/// Cargo's caret rule: the same major from 1.0, the same `0.minor` before.
fn compatible(have: &str, want: &str) -> bool {
    match (numbers(have), numbers(want)) {
        (Some((0, a)), Some((0, b))) => a == b,
        (Some((a, _)), Some((b, _))) => a == b && a > 0,
        _ => false,
    }
}

fn compatible_range(want: &str) -> String {
    match numbers(want) {
        Some((0, minor)) => format!("0.{minor}.x"),
        Some((major, _)) => format!("{major}.x"),
        None => want.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_sdk_is_a_package_of_its_own() {
        let sdk = embedded_sdk().expect("sdk");
        let t: Table = sdk.manifest.parse().expect("toml");
        assert!(!sdk.manifest.contains("workspace = true"), "{}", sdk.manifest);
        assert_eq!(t["package"]["name"].as_str(), Some(SDK_NAME));
        assert_eq!(t["package"]["version"].as_str(), Some(sdk.version.as_str()));
        let wit_bindgen = &t["dependencies"]["wit-bindgen"];
        assert!(wit_bindgen["version"].as_str().is_some_and(|v| v.starts_with("0.")), "{wit_bindgen}");
        assert_eq!(wit_bindgen["default-features"].as_bool(), Some(false));
        // The WIT's package version and the SDK's are one.
        assert_eq!(wit_package(SDK_WIT), Some(format!("ssmpatch:strategy@{}", sdk.version).as_str()));
    }

    #[test]
    fn the_lock_holds_the_sdks_dependencies_and_nothing_of_the_fixtures() {
        let lock = lock_file("team-notes", "0.1.0").expect("lock");
        let t: Table = lock.parse().expect("toml");
        let names: Vec<&str> =
            t["package"].as_array().expect("packages").iter().filter_map(|p| p["name"].as_str()).collect();
        for n in ["team-notes", SDK_NAME, "wit-bindgen", "sha2"] {
            assert!(names.contains(&n), "{n} in {names:?}");
        }
        assert!(!names.iter().any(|n| n.starts_with("fixture-") || *n == "rescan"), "{names:?}");
    }

    #[test]
    fn names_that_would_not_build_are_refused() {
        for ok in ["critical-only", "team-notes", "a", "fn-notes", "self-check"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "Bad_Name", "9lives", "-x", "fn", "self", "std", "test", "proc-macro", "a/b", "..", SDK_NAME] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn versions_are_compatible_by_cargos_caret_rule() {
        assert!(compatible("0.1.0", "0.1.0") && compatible("0.1.7", "0.1.0"));
        assert!(!compatible("0.2.0", "0.1.0") && !compatible("1.0.0", "0.1.0") && !compatible("x", "0.1.0"));
        assert!(compatible("1.4.0", "1.0.0") && !compatible("2.0.0", "1.0.0"));
        assert_eq!(compatible_range("0.1.0"), "0.1.x");
    }
}
