package provider

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Test configurations are written one way: a provider block, then the
// blocks under test, each rendered by hclBlock. The two resources have a type
// whose fields are their arguments (sessionBlock, labelsBlock); anything
// else, and any input a field cannot hold (an expression, a value of the
// wrong type), is written as HCL lines.

// hclBlock renders a block: its header (`data "guayaba_sessions" "all"`) and
// one line per argument ("name = value"); empty lines are left out.
func hclBlock(header string, lines ...string) string {
	var b strings.Builder
	b.WriteString(header + " {\n")
	for _, l := range lines {
		if l != "" {
			b.WriteString("  " + l + "\n")
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// hclString quotes s as an HCL string literal: Go's escapes, which HCL
// reads the same, and the template sequences ${ and %{ escaped.
func hclString(s string) string {
	return strings.NewReplacer("${", "$${", "%{", "%%{").Replace(strconv.Quote(s))
}

// hclName turns a case name into a block name ("nothing mixed" gives
// "nothing_mixed").
func hclName(s string) string { return strings.NewReplacer(" ", "_", "-", "_").Replace(s) }

// hclAttr is the line `name = "value"`.
func hclAttr(name, value string) string { return name + " = " + hclString(value) }

// providerBlock is a provider "guayaba" block with the given argument lines.
func providerBlock(lines ...string) string { return hclBlock(`provider "guayaba"`, lines...) }

// provider is a provider block for the sandbox with the master key and the
// default agent, plus extra argument lines.
func (e *testEnv) provider(extra ...string) string {
	return e.providerWithKey(e.masterKey, append([]string{hclAttr("agent_id", testAgentID)}, extra...)...)
}

// providerWithKey is a provider block for the sandbox with the given key and
// argument lines (no default agent unless they set one).
func (e *testEnv) providerWithKey(key string, lines ...string) string {
	return providerBlock(append([]string{hclAttr("base_url", e.sb.URL()), hclAttr("api_key", key)}, lines...)...)
}

// config is a provider block for the sandbox (env.provider()) followed by
// blocks.
func (e *testEnv) config(blocks ...fmt.Stringer) string {
	var b strings.Builder
	b.WriteString(e.provider())
	for _, bl := range blocks {
		b.WriteString(bl.String())
	}
	return b.String()
}

// sessionBlock is one guayaba_session resource; an empty field is left out
// (but key, always written), archived is written when true.
type sessionBlock struct {
	name      string // "x" when empty
	agentID   string
	key       string
	label     *string
	archived  bool
	onDestroy string
	extra     []string // argument lines for inputs the fields cannot hold
}

func (s sessionBlock) String() string {
	name := s.name
	if name == "" {
		name = "x"
	}
	lines := []string{hclAttr("key", s.key)}
	if s.agentID != "" {
		lines = append(lines, hclAttr("agent_id", s.agentID))
	}
	if s.label != nil {
		lines = append(lines, hclAttr("label", *s.label))
	}
	if s.archived {
		lines = append(lines, "archived = true")
	}
	if s.onDestroy != "" {
		lines = append(lines, hclAttr("on_destroy", s.onDestroy))
	}
	return hclBlock(fmt.Sprintf("resource \"guayaba_session\" %q", name), append(lines, s.extra...)...)
}

// sessionBlocks renders every block of ss.
func sessionBlocks(ss ...sessionBlock) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s.String())
	}
	return b.String()
}

// labelsAddr is the address of the guayaba_session_labels of labelsBlock.
const labelsAddr = "guayaba_session_labels.x"

// labelsBlock is the guayaba_session_labels resource "x"; an empty field is
// left out (but labels, always written).
type labelsBlock struct {
	agentID   string
	labels    map[string]string
	exclusive bool
	onDestroy string
}

func (l labelsBlock) String() string {
	var m strings.Builder
	m.WriteString("labels = {\n")
	for _, k := range slices.Sorted(maps.Keys(l.labels)) {
		fmt.Fprintf(&m, "    %s = %s\n", hclString(k), hclString(l.labels[k]))
	}
	m.WriteString("  }")
	lines := []string{m.String()}
	if l.agentID != "" {
		lines = append(lines, hclAttr("agent_id", l.agentID))
	}
	if l.exclusive {
		lines = append(lines, "exclusive = true")
	}
	if l.onDestroy != "" {
		lines = append(lines, hclAttr("on_destroy", l.onDestroy))
	}
	return hclBlock(`resource "guayaba_session_labels" "x"`, lines...)
}
