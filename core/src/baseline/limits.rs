//! Every API limit ssmpatch enforces on baselines, override documents and their S3 keys — in one
//! place, each with where AWS says so, so a limit is a one-line change.

/// One API limit, with where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What is limited.
    pub what: &'static str,
    /// Smallest value / count / length.
    pub min: usize,
    /// Largest.
    pub max: usize,
    /// Where AWS says so.
    pub source: &'static str,
}

impl Limit {
    /// True when `n` is within `min..=max`.
    pub fn allows(&self, n: usize) -> bool {
        (self.min..=self.max).contains(&n)
    }
}

/// The limit table's shape.
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct Limits {
    pub approval_rules: Limit,
    pub filters: Limit,
    pub filter_values: Limit,
    pub filter_value_len: Limit,
    pub patch_list: Limit,
    pub patch_len: Limit,
    pub sources: Limit,
    pub source_name_len: Limit,
    pub source_products: Limit,
    pub source_product_len: Limit,
    pub source_configuration_len: Limit,
    pub approve_after_days: Limit,
    pub approve_until_date_len: Limit,
    pub baseline_id_len: Limit,
    pub baseline_name_len: Limit,
    pub baseline_description_len: Limit,
}

const BOTO: &str = "botocore ssm service model (CreatePatchBaseline / BaselineOverride shapes)";

/// Every limit ssmpatch enforces on baselines and override documents (aws-facts §2.1).
///
/// Shape names in the botocore model (`botocore/data/ssm/2014-11-06/service-2.json`):
/// `PatchRuleList`, `PatchFilterList`, `PatchFilterValueList`, `PatchFilterValue`, `PatchIdList`,
/// `PatchId`, `PatchSourceList`, `PatchSourceName` (pattern `^[a-zA-Z0-9_\-.]{3,50}$`),
/// `PatchSourceProductList`, `PatchSourceProduct`, `PatchSourceConfiguration` (1-1024, as in the
/// current CloudFormation `AWS::SSM::PatchBaseline PatchSource` reference; older models said 512),
/// `ApproveAfterDays`, `PatchStringDateTime`, `BaselineId` (pattern `^[a-zA-Z0-9_\-:/]{20,128}$`),
/// `BaselineName` (pattern `^[a-zA-Z0-9_\-.]{3,128}$`), `BaselineDescription`.
pub const LIMITS: Limits = Limits {
    approval_rules: Limit { what: "approval rules", min: 0, max: 10, source: BOTO },
    filters: Limit { what: "patch filters in a group", min: 0, max: 4, source: BOTO },
    filter_values: Limit { what: "values of a patch filter", min: 1, max: 20, source: BOTO },
    filter_value_len: Limit { what: "characters in a filter value", min: 1, max: 64, source: BOTO },
    patch_list: Limit { what: "approved or rejected patches", min: 0, max: 50, source: BOTO },
    patch_len: Limit { what: "characters in a patch name", min: 1, max: 100, source: BOTO },
    sources: Limit { what: "patch sources", min: 0, max: 20, source: BOTO },
    source_name_len: Limit { what: "characters in a source name", min: 3, max: 50, source: BOTO },
    source_products: Limit { what: "products of a source", min: 1, max: 20, source: BOTO },
    source_product_len: Limit { what: "characters in a source product", min: 1, max: 128, source: BOTO },
    source_configuration_len: Limit { what: "characters in a source configuration", min: 1, max: 1024, source: BOTO },
    approve_after_days: Limit { what: "days in approve-after-days", min: 0, max: 360, source: BOTO },
    approve_until_date_len: Limit { what: "characters in approve-until-date", min: 10, max: 10, source: BOTO },
    baseline_id_len: Limit { what: "characters in a baseline id", min: 20, max: 128, source: BOTO },
    baseline_name_len: Limit { what: "characters in a baseline name", min: 3, max: 128, source: BOTO },
    baseline_description_len: Limit { what: "characters in a baseline description", min: 1, max: 1024, source: BOTO },
};

/// Characters AWS forbids in a BaselineOverride file name (patch-manager-baselineoverride-parameter:
/// "The BaselineOverride file name can't contain ... backtick, single quote, double quote, and
/// dollar sign").
pub const FORBIDDEN_FILE_NAME_CHARS: [char; 4] = ['`', '\'', '"', '$'];

/// True for the characters of a `PatchSourceName` or `BaselineName`: letters, digits, `_`, `-`, `.`.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// True for the characters of a `BaselineId`: letters, digits, `_`, `-`, `:`, `/`.
pub(crate) fn is_baseline_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '/')
}
