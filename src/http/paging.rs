//! Page-number paging for lists: `?page=` from 1 and `?limit=` up to a maximum.

use serde::{Deserialize, Serialize};

use super::ApiError;

#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// From 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// 1 to 100.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// Where a page stands, as every list answers it (flattened beside the list's items).
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct PageInfo {
    pub page: i64,
    pub limit: i64,
    /// Whether another page follows.
    pub has_more: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub limit: i64,
}

impl Paging {
    pub const MAX_LIMIT: i64 = 100;

    pub fn parse(query: &PageQuery, default_limit: i64) -> Result<Paging, ApiError> {
        let page = query.page.unwrap_or(1);
        if !(1..=1_000_000).contains(&page) {
            return Err(ApiError::invalid("page", "page is a number from 1."));
        }
        let limit = query.limit.unwrap_or(default_limit);
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                format!("limit is a number from 1 to {}.", Self::MAX_LIMIT),
            ));
        }
        Ok(Paging { page, limit })
    }

    pub fn offset(self) -> i64 {
        (self.page - 1) * self.limit
    }

    /// One more than the page holds, to learn whether another page follows.
    pub fn fetch(self) -> i64 {
        self.limit + 1
    }

    /// Trims the extra row and describes the page.
    pub fn finish<T>(self, mut rows: Vec<T>) -> (Vec<T>, PageInfo) {
        let has_more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let info = PageInfo {
            page: self.page,
            limit: self.limit,
            has_more,
        };
        (rows, info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::extract::parse_query;
    use axum::http::StatusCode;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_numbers_are_a_page_or_a_named_refusal(page in any::<Option<i64>>(), limit in any::<Option<i64>>()) {
            match Paging::parse(&PageQuery { page, limit }, 20) {
                Ok(paging) => {
                    prop_assert!(paging.offset() >= 0);
                    prop_assert!((2..=Paging::MAX_LIMIT + 1).contains(&paging.fetch()));
                    let (rows, info) = paging.finish(vec![(); 150]);
                    prop_assert_eq!(rows.len() as i64, paging.limit);
                    prop_assert!(info.has_more);
                }
                Err(error) => {
                    prop_assert_eq!(error.status, StatusCode::UNPROCESSABLE_ENTITY);
                    prop_assert!(matches!(error.field.as_deref(), Some("page" | "limit")));
                }
            }
        }

        #[test]
        fn any_query_string_is_paging_or_a_named_refusal(query in any::<String>()) {
            let parsed = parse_query::<PageQuery>(&query)
                .and_then(|parsed| Paging::parse(&parsed, 20));
            if let Err(error) = parsed {
                prop_assert_eq!(error.status, StatusCode::UNPROCESSABLE_ENTITY);
                prop_assert!(error.field.is_some_and(|f| !f.is_empty()));
            }
        }

        #[test]
        fn query_strings_made_of_parameters_are_read(page in "-?[0-9]{0,20}", limit in "-?[0-9]{0,4}") {
            let parsed = parse_query::<PageQuery>(&format!("page={page}&limit={limit}&other=x"))
                .and_then(|parsed| Paging::parse(&parsed, 20));
            match parsed {
                Ok(paging) => {
                    prop_assert_eq!(Ok(paging.page), page.parse::<i64>());
                    prop_assert_eq!(Ok(paging.limit), limit.parse::<i64>());
                }
                Err(error) => prop_assert!(matches!(error.field.as_deref(), Some("page" | "limit"))),
            }
        }
    }
}
