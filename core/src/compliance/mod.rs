//! Compliance: parsing AWS-RunPatchBaseline output.
