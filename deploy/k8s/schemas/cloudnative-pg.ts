// The fields of CloudNativePG's Cluster (postgresql.cnpg.io/v1) these manifests use, transcribed from the
// operator's API reference (cloudnative-pg.io/documentation/current/cloudnative-pg.v1/). Kubernetes ships no
// schema for a custom resource, so deploy/k8s/validate.ts checks a Cluster against this one: a misspelt or
// unknown field fails like it does for built-in kinds. Add a field here (from the reference) before using it.
import type { IIoK8sApimachineryPkgApisMetaV1ObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";

export interface ICluster {
  apiVersion: "postgresql.cnpg.io/v1";
  kind: "Cluster";
  metadata: IIoK8sApimachineryPkgApisMetaV1ObjectMeta;
  spec: ClusterSpec;
}

interface ClusterSpec {
  description?: string;
  /** Number of instances: one primary, the rest streaming replicas. */
  instances: number;
  imageName?: string;
  primaryUpdateStrategy?: "unsupervised" | "supervised";
  primaryUpdateMethod?: "switchover" | "restart";
  minSyncReplicas?: number;
  maxSyncReplicas?: number;
  postgresql?: {
    parameters?: Record<string, string>;
    pg_hba?: string[];
    synchronous?: { method: "any" | "first"; number: number; dataDurability?: "required" | "preferred" };
  };
  bootstrap?: {
    initdb?: { database?: string; owner?: string; secret?: { name: string }; encoding?: string; localeCollate?: string; localeCType?: string };
  };
  enableSuperuserAccess?: boolean;
  storage?: StorageConfiguration;
  walStorage?: StorageConfiguration;
  resources?: IResourceRequirements;
  affinity?: {
    enablePodAntiAffinity?: boolean;
    topologyKey?: string;
    podAntiAffinityType?: "preferred" | "required";
    nodeSelector?: Record<string, string>;
  };
  monitoring?: { enablePodMonitor?: boolean };
  inheritedMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  stopDelay?: number;
  smartShutdownTimeout?: number;
  switchoverDelay?: number;
  startDelay?: number;
}

interface StorageConfiguration {
  size?: string;
  storageClass?: string;
  resizeInUseVolumes?: boolean;
}
