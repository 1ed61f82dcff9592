package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// The guayaba_session_labels steps: the same N labels held by one resource
// instead of N, measured after the per-session steps in the same sandbox.
// The configurations are the per-session ones (provider, variables) with
// the resource replaced; the baseline is one terraform_data holding the map.
var (
	labelsMain = strings.Split(providerMain, `resource "guayaba_session"`)[0] + `resource "guayaba_session_labels" "all" {
  labels = { for k in var.keys : k => "${var.label_prefix}-${md5(k)}" }
}
`
	labelsBaseline = strings.Split(baselineMain, `resource "terraform_data"`)[0] + `resource "terraform_data" "all" {
  input = { for k in var.keys : k => "${var.label_prefix}-${md5(k)}" }
}
`
)

// Names of the labels steps, also used to find them in the results.
const (
	stepLabelsCreate = "e. labels: set N labels"
	stepLabelsPlan   = "f. labels: plan, no change"
	stepLabelsChange = "g. labels: change N labels"
)

// labelSteps writes the working directories of the guayaba_session_labels
// configuration and its baseline and returns steps e-g.
func labelSteps(sb *sandbox.Sandbox, dir, agentID, masterKey string, keys []string, apply, plan []string) ([]benchStep, error) {
	prov, base := filepath.Join(dir, "labels"), filepath.Join(dir, "labels-baseline")
	for d, text := range map[string]string{prov: fmt.Sprintf(labelsMain, sb.URL(), masterKey, agentID), base: labelsBaseline} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(d, "main.tf"), []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	prefix := func(p string) func() error {
		return func() error {
			if err := writeVars(prov, keys, p, nil); err != nil {
				return err
			}
			return writeVars(base, keys, p, nil)
		}
	}
	check := func(p string) func() error { return func() error { return checkLabels(sb, agentID, keys, p) } }
	return []benchStep{
		{name: stepLabelsCreate, prov: prov, base: base, args: apply, before: prefix("bench-l1"), after: check("bench-l1")},
		{name: stepLabelsPlan, prov: prov, base: base, args: plan, repeatable: true},
		{name: stepLabelsChange, prov: prov, base: base, args: apply, before: prefix("bench-l2"), after: check("bench-l2")},
	}, nil
}

// labelsMarkdown describes steps e-g for BENCHMARKS.md.
const labelsMarkdown = "Steps e-g hold the same N labels in **one** `guayaba_session_labels` resource (a `for` expression " +
	"over the keys), in the same sandbox after steps a-d:\n\n" +
	"- **e.** `apply` creating the resource, setting every label;\n" +
	"- **f.** `plan -detailed-exitcode` with nothing changed;\n" +
	"- **g.** `apply` changing every label.\n\n" +
	"Their baseline is one `terraform_data` holding the same map.\n\n"

// labelsComparison renders, for one N, the per-session steps beside the
// guayaba_session_labels ones, or "" when either is missing.
func labelsComparison(r result) string {
	find := func(prefix string) *step {
		for i := range r.Steps {
			if strings.HasPrefix(r.Steps[i].Name, prefix) {
				return &r.Steps[i]
			}
		}
		return nil
	}
	plan, change := find(stepLabelsPlan), find(stepLabelsChange)
	if plan == nil || change == nil {
		return ""
	}
	perPlan, perChange := find("b. "), find("c. ")
	cell := func(s *step, f func(*step) string) string {
		if s == nil {
			return "not run (N > -per-session-max)"
		}
		return f(s)
	}
	wall := func(s *step) string { return fmtDur(s.Provider) }
	calls := func(s *step) string { return "`" + fmtCalls(s.Calls) + "`" }
	rss := func(s *step) string { return fmtRSS(*s) }
	var b strings.Builder
	fmt.Fprintf(&b, "\n#### N = %d: %d `guayaba_session` resources or one `guayaba_session_labels`\n\n", r.N, r.N)
	b.WriteString("| | `guayaba_session` × N | `guayaba_session_labels` |\n|---|--:|--:|\n")
	rows := []struct {
		name string
		a, b *step
		f    func(*step) string
	}{
		{"plan, nothing changed: wall", perPlan, plan, wall},
		{"plan: API calls", perPlan, plan, calls},
		{"plan: provider peak RSS MiB", perPlan, plan, rss},
		{"apply changing N labels: wall", perChange, change, wall},
		{"apply: API calls", perChange, change, calls},
		{"apply: provider peak RSS MiB", perChange, change, rss},
	}
	for _, row := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", row.name, cell(row.a, row.f), cell(row.b, row.f))
	}
	return b.String()
}
