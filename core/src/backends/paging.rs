//! Every page, always. Lists are read through the SDK's own paginators
//! (`.into_paginator().items().send()`), which follow `NextToken` until AWS gives none, and
//! collected here with the AWS error kept as data. A list read any other way would see only its
//! first page — which is what AWS returns when it decides a page is full, at any size.

use aws_sdk_ssm::error::ProvideErrorMetadata;
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_types::request_id::RequestId;

use crate::error::{Error, aws};

/// Every item of every page of `operation` on `service`.
pub(crate) async fn all<T, E, R>(
    service: &'static str,
    operation: &'static str,
    items: PaginationStream<Result<T, SdkError<E, R>>>,
) -> Result<Vec<T>, Error>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    SdkError<E, R>: RequestId,
{
    items.try_collect().await.map_err(|e| aws(service, operation, e))
}

/// Every item of every page of `operation` on `service`, each handed to `keep` as its page
/// arrives (nothing is collected: for account-wide lists of which the caller keeps a few).
pub(crate) async fn each<T, E, R>(
    service: &'static str,
    operation: &'static str,
    mut items: PaginationStream<Result<T, SdkError<E, R>>>,
    mut keep: impl FnMut(T),
) -> Result<(), Error>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    SdkError<E, R>: RequestId,
{
    while let Some(item) = items.next().await {
        keep(item.map_err(|e| aws(service, operation, e))?);
    }
    Ok(())
}
