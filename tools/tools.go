//go:build generate

// Package tools pins the development tools of this repository (see the tool
// directives in go.mod) and holds the go:generate directives that `make
// generate` runs. The "generate" build tag keeps this file out of every build:
// go generate sets that tag itself.
package tools

// Format the Terraform examples that the documentation embeds (if any yet).
//go:generate sh -c "if [ -d ../examples ]; then terraform fmt -recursive ../examples/; fi"

// Generate the documentation in ../docs from the provider schema, ../templates
// and ../examples. tfplugindocs builds the provider and runs a terraform to
// read its schema: ../scripts/generate-docs.sh gives it a Terraform >= 1.14
// (the first whose schema has actions and list resources), found locally, so
// nothing is downloaded.
//go:generate ../scripts/generate-docs.sh
