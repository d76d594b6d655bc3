//go:build tools

// Package labvault pins the HashiCorp Vault server that the lab builds when
// VAULTOPS_LAB_SERVER=vault. Nothing here is compiled into the collection:
// scripts/lab runs `go build github.com/hashicorp/vault` in this module.
package labvault

import (
	_ "github.com/hashicorp/vault"
)
