//! Shared by the traffic split test: an emitted tree as objects (`objects`), the pods its
//! Deployments run (`pods`), the routing objects followed to those pods (`follow`, with
//! `istio` and `gateway_api`), a real HAProxy configured from them (`proxy`), and kept-alive
//! clients counting who answered (`load`). Processes and ports come from the monitoring tests' `live` module.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test support"
)]

pub mod follow;
pub mod gateway_api;
pub mod istio;
#[path = "../monitoring/live.rs"]
pub mod live;
pub mod load;
pub mod objects;
pub mod pods;
pub mod proxy;
