//! The edge's HTTP around the GraphQL API, as rules the Worker applies and native tests
//! check: what a request must be before it reaches GraphQL ([`http`]: method, media type,
//! size, CORS, security headers, which paths the Worker answers), GraphQL over GET with
//! persisted queries and the edge cache's key ([`over_get`]), and the REST session
//! endpoints under `/auth/` ([`auth_endpoints`]), which run account mutations through the
//! same schema and context as `/graphql`.
#![forbid(unsafe_code)]

pub mod auth_endpoints;
pub mod http;
pub mod over_get;
