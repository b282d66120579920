//! Which node may appear where: one table for the whole language. `check_children` reads it
//! for unknown and repeated nodes, the help line of a misplaced node names its home from it,
//! and environment overrides read which model children are keyed or merged.

/// One child a node may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Child {
    /// The node name.
    pub name: &'static str,
    /// Whether it may be given more than once.
    pub repeats: bool,
    /// For model children: an environment override replaces the base child with the same
    /// first argument (rather than the same name).
    pub keyed: bool,
    /// For model children: an environment override merges into the base child (properties
    /// replace by key) instead of replacing it.
    pub merged: bool,
    /// Whether this parent is where the node belongs when it is written elsewhere.
    pub home: bool,
}

const fn once(name: &'static str) -> Child {
    Child {
        name,
        repeats: false,
        keyed: false,
        merged: false,
        home: false,
    }
}

const fn many(name: &'static str) -> Child {
    Child {
        repeats: true,
        ..once(name)
    }
}

const fn keyed(name: &'static str) -> Child {
    Child {
        keyed: true,
        ..many(name)
    }
}

const fn merged(name: &'static str) -> Child {
    Child {
        merged: true,
        ..once(name)
    }
}

const fn home(child: Child) -> Child {
    Child {
        home: true,
        ..child
    }
}

/// A node kind and the children it may contain.
#[derive(Debug, Clone, Copy)]
pub struct Parent {
    /// The node name (`""` for the top level of a file).
    pub name: &'static str,
    /// How a help line names it as the home of a misplaced node.
    pub described: &'static str,
    /// Its children, in the order help lines list them.
    pub children: &'static [Child],
}

impl Parent {
    /// The names of its children, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.children.iter().map(|c| c.name).collect()
    }

    /// The child named `name`, if it may appear here.
    pub fn child(&self, name: &str) -> Option<&'static Child> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// The top level of a file.
pub const TOP: Parent = Parent {
    name: "",
    described: "the top level of a file",
    children: &[
        home(many("project")),
        home(many("cluster")),
        home(many("pool")),
        home(many("gpu-model")),
        home(many("model")),
        home(many("environment")),
        home(many("pipeline")),
        home(many("seldon-server")),
    ],
};

/// `project`.
pub const PROJECT: Parent = Parent {
    name: "project",
    described: "the `project` node",
    children: &[
        home(once("kubernetes")),
        once("labels"),
        once("annotations"),
        home(once("image")),
        once("monitoring"),
        once("traffic"),
    ],
};

/// `cluster`.
pub const CLUSTER: Parent = Parent {
    name: "cluster",
    described: "a `cluster`",
    children: &[many("priority-class")],
};

/// `gpu-model`.
pub const GPU_MODEL: Parent = Parent {
    name: "gpu-model",
    described: "a `gpu-model`",
    children: &[many("product-label")],
};

/// `pool`.
pub const POOL: Parent = Parent {
    name: "pool",
    described: "a `pool`",
    children: &[
        home(once("gpu")),
        home(once("mig")),
        home(once("time-slicing")),
        home(once("mps")),
        home(many("taint")),
        home(once("node-labels")),
        home(once("node-selector")),
        home(once("runtime-class")),
    ],
};

/// `environment`.
pub const ENVIRONMENT: Parent = Parent {
    name: "environment",
    described: "an `environment`",
    children: &[
        many("model"),
        home(once("quota")),
        once("monitoring"),
        once("traffic"),
    ],
};

/// `model` (and an environment's `model` override).
pub const MODEL: Parent = Parent {
    name: "model",
    described: "a `model`",
    children: &[
        once("version"),
        once("artifact"),
        once("format"),
        once("serve"),
        once("runtime"),
        once("accelerator"),
        merged("resources"),
        merged("batching"),
        merged("autoscale"),
        keyed("canary"),
        once("stable"),
        once("timeout"),
        once("expose"),
        once("disruption"),
        once("vpa"),
        merged("probes"),
        keyed("env"),
        once("service-account"),
        keyed("image-pull-secret"),
        once("storage"),
        once("priority-class"),
        merged("labels"),
        merged("annotations"),
        once("affinity"),
        keyed("topology-spread"),
        keyed("volume"),
        keyed("patch"),
        once("allow-from"),
        once("monitoring"),
    ],
};

/// A model's `canary`.
pub const CANARY: Parent = Parent {
    name: "canary",
    described: "a `canary`",
    children: &[
        once("artifact"),
        once("version"),
        once("resources"),
        once("accelerator"),
        keyed("env"),
        once("runtime"),
    ],
};

/// A model's `service-account`.
pub const SERVICE_ACCOUNT: Parent = Parent {
    name: "service-account",
    described: "a `service-account`",
    children: &[once("annotations")],
};

/// A model's `autoscale`: its policies (each may be written once; two are `E0213`).
pub const AUTOSCALE: Parent = Parent {
    name: "autoscale",
    described: "`autoscale`",
    children: &[
        many("cpu"),
        many("memory"),
        many("concurrency"),
        many("rps"),
        many("prometheus"),
        many("kafka"),
        many("rabbitmq"),
        many("sqs"),
        many("redis"),
        many("redis-streams"),
        many("nats-jetstream"),
        many("gcp-pubsub"),
        many("azure-servicebus"),
        many("cron"),
        once("keda"),
        once("scale-up"),
        once("scale-down"),
    ],
};

/// The children of `autoscale` that are behaviour knobs, not policies.
pub const AUTOSCALE_KNOBS: &[&str] = &["keda", "scale-up", "scale-down"];

/// `monitoring` in the project or an environment.
pub const MONITORING: Parent = Parent {
    name: "monitoring",
    described: "a `monitoring` block",
    children: &[
        once("select"),
        once("labels"),
        many("alert"),
        home(once("dashboard")),
    ],
};

/// `monitoring` in a model (the dashboard is per environment).
pub const MODEL_MONITORING: Parent = Parent {
    name: "monitoring",
    described: "a model's `monitoring` block",
    children: &[
        once("select"),
        once("labels"),
        many("alert"),
        // Accepted here only to be refused with its own message (`monitoring/lower.rs`).
        once("dashboard"),
    ],
};

/// A `monitoring` block's `alert`.
pub const ALERT: Parent = Parent {
    name: "alert",
    described: "an `alert`",
    children: &[once("labels")],
};

/// `pipeline`: its root router's steps, other router nodes, the router pod's sizing.
pub const PIPELINE: Parent = Parent {
    name: "pipeline",
    described: "a `pipeline`",
    children: &[
        home(many("step")),
        home(many("node")),
        once("resources"),
        once("autoscale"),
    ],
};

/// A pipeline's `node`.
pub const PIPELINE_NODE: Parent = Parent {
    name: "node",
    described: "a pipeline `node`",
    children: &[many("step")],
};

/// Every parent, in the order a misplaced node's home is looked up.
const PARENTS: &[Parent] = &[
    TOP,
    PROJECT,
    POOL,
    ENVIRONMENT,
    CLUSTER,
    GPU_MODEL,
    MODEL,
    CANARY,
    SERVICE_ACCOUNT,
    AUTOSCALE,
    PIPELINE,
];

/// Where a node that is misplaced belongs, for the help line.
pub fn home_of(name: &str) -> Option<&'static str> {
    PARENTS
        .iter()
        .find(|p| p.children.iter().any(|c| c.home && c.name == name))
        .map(|p| p.described)
}
