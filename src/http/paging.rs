//! Page-number paging for lists: `?page=` from 1 and `?limit=` up to a maximum.

use serde::{Deserialize, Serialize};

use super::ApiError;

#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// From 1.
    pub page: Option<i64>,
    /// 1 to 100.
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
