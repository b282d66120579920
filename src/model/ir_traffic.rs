//! Traffic: how a `serve deployment` model's variants are split (`traffic`, per project or
//! environment) and how a model is reached from outside its namespace (`expose`).

use super::ir::Spanned;
use crate::source::Span;

/// A reference to a Gateway (`NAME` or `NAMESPACE/NAME`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayRef {
    /// Its namespace, when written (`None`: the route's own namespace).
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

impl GatewayRef {
    /// As written: `NAMESPACE/NAME` or `NAME`.
    pub fn reference(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// How the variants of a `serve deployment` model are split (DESIGN §8.15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Traffic {
    /// `traffic mesh=istio [gateway="NS/NAME"]`: one Service over every variant, a
    /// DestinationRule subset per variant and a VirtualService with the weights.
    Istio {
        /// The Istio Gateway the VirtualService is also bound to (beside `mesh`).
        gateway: Option<GatewayRef>,
    },
    /// `traffic gateway-api parent="NS/NAME"`: one Service per variant and an HTTPRoute with
    /// a weighted backendRef each, attached to the Gateway.
    GatewayApi {
        /// The parent Gateway.
        parent: GatewayRef,
    },
}

impl Traffic {
    /// How the docs and diagnostics name it.
    pub fn describe(&self) -> &'static str {
        match self {
            Traffic::Istio { .. } => "traffic mesh=istio",
            Traffic::GatewayApi { .. } => "traffic gateway-api",
        }
    }
}

/// The type of an externally reachable Service (`expose service type=…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceExposure {
    /// `LoadBalancer`.
    LoadBalancer,
    /// `NodePort`.
    NodePort,
}

impl ServiceExposure {
    /// The Service `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceExposure::LoadBalancer => "LoadBalancer",
            ServiceExposure::NodePort => "NodePort",
        }
    }
}

/// How a model is reached from outside its namespace (`expose`).
#[derive(Debug, Clone, PartialEq)]
pub enum Expose {
    /// `expose ingress class=… host=… [path=…] [tls-secret=…] [namespace=…]`.
    Ingress {
        /// The IngressClass.
        class: Spanned<String>,
        /// The host.
        host: Spanned<String>,
        /// The path prefix.
        path: Spanned<String>,
        /// The TLS Secret, by name.
        tls_secret: Option<String>,
        /// The namespace of the ingress controller's pods (admitted by the NetworkPolicy).
        namespace: String,
    },
    /// `expose gateway parent="NS/NAME" [host=…] [path=…]`: an HTTPRoute.
    Gateway {
        /// The parent Gateway.
        parent: GatewayRef,
        /// The host, when routed by name.
        host: Option<Spanned<String>>,
        /// The path prefix.
        path: Spanned<String>,
    },
    /// `expose service type=LoadBalancer|NodePort`.
    Service(ServiceExposure),
}

impl Expose {
    /// How the docs and diagnostics name it.
    pub fn describe(&self) -> &'static str {
        match self {
            Expose::Ingress { .. } => "expose ingress",
            Expose::Gateway { .. } => "expose gateway",
            Expose::Service(_) => "expose service",
        }
    }

    /// The host callers use, when the exposure routes by host.
    pub fn host(&self) -> Option<&str> {
        match self {
            Expose::Ingress { host, .. } => Some(&host.value),
            Expose::Gateway { host, .. } => host.as_ref().map(|h| h.value.as_str()),
            Expose::Service(_) => None,
        }
    }
}
