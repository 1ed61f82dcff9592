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
	stepLabelsAdopt  = "e. labels: adopt N labels already set"
	stepLabelsPlan   = "f. labels: plan, no change"
	stepLabelsChange = "g. labels: change N labels"
)

// labelsFirstPrefix is the label prefix of step e.
const labelsFirstPrefix = "bench-l1"

// ratioN is the N whose labels plan ratio planRatios singles out, with the
// target it is held to.
const (
	ratioN      = 10000
	ratioTarget = 1.5
)

// labelSteps writes the working directories of the guayaba_session_labels
// configuration and its baseline and returns steps e-g. With preset the
// sessions already carry step e's labels: e adopts them (one listing, no
// rename) and g, which would rename all N, is left out.
func labelSteps(sb *sandbox.Sandbox, dir, agentID, masterKey string, keys []string, apply, plan []string, preset bool) ([]benchStep, error) {
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
	create := stepLabelsCreate
	if preset {
		create = stepLabelsAdopt
	}
	steps := []benchStep{
		{name: create, prov: prov, base: base, args: apply, before: prefix(labelsFirstPrefix), after: check(labelsFirstPrefix)},
		{name: stepLabelsPlan, prov: prov, base: base, args: plan, repeatable: true},
	}
	if !preset {
		steps = append(steps, benchStep{name: stepLabelsChange, prov: prov, base: base, args: apply, before: prefix("bench-l2"),
			after: check("bench-l2")})
	}
	return steps, nil
}

// planRatios renders, for each N, the no-change plan of one
// guayaba_session_labels resource against one terraform_data holding the
// same map, measured in the same run, with the provider's peak memory; the
// line of N = ratioN says whether it meets ratioTarget.
func planRatios(results []result) string {
	var b strings.Builder
	for _, r := range results {
		for _, s := range r.Steps {
			if !strings.HasPrefix(s.Name, stepLabelsPlan) || s.Baseline <= 0 {
				continue
			}
			ratio := s.Provider.Seconds() / s.Baseline.Seconds()
			fmt.Fprintf(&b, "- N = %d: plan of one `guayaba_session_labels` %s, of one `terraform_data` with the same map %s: "+
				"**%.2f×** (CPU time %s against %s: %.2f×); provider peak RSS %s MiB", r.N, fmtDur(s.Provider),
				fmtDur(s.Baseline), ratio, fmtDur(s.ProviderCPU), fmtDur(s.BaselineCPU),
				s.ProviderCPU.Seconds()/max(s.BaselineCPU.Seconds(), 1e-9), fmtRSS(s))
			if r.N == ratioN {
				verdict := "meets"
				if ratio > ratioTarget {
					verdict = "misses"
				}
				fmt.Fprintf(&b, " (%s the target of %.1f×)", verdict, ratioTarget)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// labelsMarkdown describes steps e-g for BENCHMARKS.md.
const labelsMarkdown = "Steps e-g hold the same N labels in **one** `guayaba_session_labels` resource (a `for` expression " +
	"over the keys), in the same sandbox after steps a-d:\n\n" +
	"- **e.** `apply` creating the resource, setting every label;\n" +
	"- **f.** `plan -detailed-exitcode` with nothing changed;\n" +
	"- **g.** `apply` changing every label.\n\n" +
	"Their baseline is one `terraform_data` holding the same map. Above `-labels-apply-max` the sessions start with " +
	"step e's labels, so that step e adopts them with one listing and no rename, and steps d and g (a rename or a " +
	"state entry for every session) are left out.\n\n"

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
