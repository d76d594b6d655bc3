//go:build tools

// Package labplugins pins the secrets-engine plugins that the lab builds.
// Nothing here is compiled into the collection: the lab runs
// `go build` on the plugin main packages listed in scripts/lab.
package labplugins

import (
	_ "github.com/hashicorp/vault-plugin-secrets-alicloud/cmd/vault-plugin-secrets-alicloud"
	_ "github.com/hashicorp/vault-plugin-secrets-azure/cmd/vault-plugin-secrets-azure"
	_ "github.com/hashicorp/vault-plugin-secrets-gcp/cmd/vault-plugin-secrets-gcp"
	_ "github.com/hashicorp/vault/builtin/logical/aws/cmd/aws"
)
