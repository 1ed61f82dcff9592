package sessions

import (
	"sort"
)

// LabelsInput is what a plan of label renames is made from: the agent's
// active sessions as one listing shows them, and what a
// guayaba_session_labels resource wants.
type LabelsInput struct {
	// Current maps every active session's key to its label (nil: none).
	Current map[string]*string
	// Wanted maps a session key to the label it must have.
	Wanted map[string]string
	// Previous is what the resource managed before this change (its prior
	// state): a key that left Wanted is cleared when ClearRemoved is set
	// and its label is still the one recorded, and its label is released
	// when another key wants it.
	Previous map[string]string
	// Exclusive clears the label of every active session not in Wanted.
	Exclusive bool
	// ClearRemoved clears the labels of keys that left Wanted.
	ClearRemoved bool
}

// LabelRename is one rename call of a plan.
type LabelRename struct {
	Key string
	// From is the session's label just before this rename (nil: none).
	From *string
	// To is the label to set (nil clears it).
	To *string
	// After is the index in LabelPlan.Renames of the rename that frees To
	// (the holder moving away from it), which must succeed first; -1 when
	// To is free already.
	After int
	// Release marks a temporary clear that breaks a cycle of labels moving
	// between sessions (a swap, a rotation); the key's final rename comes
	// later in the plan.
	Release bool
}

// LabelConflict is a wanted label held by an active session that the plan
// may not touch (not in Wanted, not managed before, and not Exclusive).
type LabelConflict struct {
	Key    string // the key that wants Label
	Label  string
	Holder string // the key of the session that holds it
}

// LabelPlan is the renames that bring an agent's sessions to a wanted map of
// labels, in an order that keeps labels unique at every step: a rename
// never sets a label that another session still holds. Renames without
// After can all run at once; every other rename runs once its After has
// succeeded. Each label has at most one holder and one taker, so the
// renames form chains, and a cycle (a swap or rotation) costs one extra
// rename: one of its labels is released first.
type LabelPlan struct {
	Renames []LabelRename
	// Missing are the wanted keys that are not active sessions (archived,
	// deleted, or not created yet by a chat), sorted.
	Missing []string
	// Conflicts are the wanted labels that a session outside the plan holds,
	// sorted by key; those keys are not renamed.
	Conflicts []LabelConflict
	// Blocked are the keys, sorted, that are not renamed because the label
	// they want is held by a key that cannot move (a conflict, or a key
	// itself blocked).
	Blocked []string
}

// Changes counts the sessions whose label the plan changes (releases are
// not counted: they are part of a move).
func (p LabelPlan) Changes() int {
	n := 0
	for _, r := range p.Renames {
		if !r.Release {
			n++
		}
	}
	return n
}

// PlanLabels decides which renames bring the sessions to in.Wanted, and in
// which order. It calls nothing: the caller runs the plan (RunLabelPlan).
func PlanLabels(in LabelsInput) LabelPlan {
	var p LabelPlan
	target := map[string]*string{} // key → final label, for keys that change
	for k, w := range in.Wanted {
		cur, active := in.Current[k]
		switch {
		case !active:
			p.Missing = append(p.Missing, k)
		case cur == nil || *cur != w:
			target[k] = &w
		}
	}
	sort.Strings(p.Missing)
	for k, prev := range in.Previous {
		if _, wanted := in.Wanted[k]; wanted {
			continue
		}
		if cur := in.Current[k]; in.ClearRemoved && cur != nil && *cur == prev {
			target[k] = nil
		}
	}
	if in.Exclusive {
		for k, cur := range in.Current {
			if _, wanted := in.Wanted[k]; !wanted && cur != nil {
				target[k] = nil
			}
		}
	}

	holder := make(map[string]string, len(in.Current)) // label → key
	for k, l := range in.Current {
		if l != nil {
			holder[*l] = k
		}
	}
	// A label moving away from a key that left the map is released even when
	// removed keys are kept: the move is what the configuration asks for.
	for k, to := range target {
		if to == nil {
			continue
		}
		h, held := holder[*to]
		if !held || h == k {
			continue
		}
		if _, changes := target[h]; changes {
			continue
		}
		if _, wasManaged := in.Previous[h]; wasManaged {
			if _, wanted := in.Wanted[h]; !wanted {
				target[h] = nil
				continue
			}
		}
		p.Conflicts = append(p.Conflicts, LabelConflict{Key: k, Label: *to, Holder: h})
	}

	keys := make([]string, 0, len(target))
	for k := range target {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// Two keys that want the same label (the configuration should not allow
	// it): the first by key takes it, the other conflicts with it.
	taken := map[string]string{}
	for _, k := range keys {
		if to := target[k]; to != nil {
			if first, dup := taken[*to]; dup {
				p.Conflicts = append(p.Conflicts, LabelConflict{Key: k, Label: *to, Holder: first})
				continue
			}
			taken[*to] = k
		}
	}
	sort.Slice(p.Conflicts, func(i, j int) bool { return p.Conflicts[i].Key < p.Conflicts[j].Key })

	// waitsOn[k] is the key whose rename frees the label k wants.
	waitsOn := map[string]string{}
	stuck := map[string]bool{}
	for _, c := range p.Conflicts {
		stuck[c.Key] = true
	}
	for k, to := range target {
		if to == nil || stuck[k] {
			continue
		}
		if h, held := holder[*to]; held && h != k {
			waitsOn[k] = h
		}
	}
	// A key waiting, directly or down a chain, on a stuck key is blocked.
	const (
		unknown = iota
		visiting
		free
		isStuck
	)
	memo := map[string]int{}
	blocked := map[string]bool{}
	var walk func(k string) int
	walk = func(k string) int {
		switch {
		case stuck[k]:
			return isStuck
		case memo[k] == visiting: // a cycle: it is broken below
			return free
		case memo[k] != unknown:
			return memo[k]
		}
		memo[k] = visiting
		res := free
		if h, ok := waitsOn[k]; ok && walk(h) == isStuck {
			res = isStuck
			blocked[k] = true
		}
		memo[k] = res
		return res
	}
	for _, k := range keys {
		if !stuck[k] && walk(k) == isStuck {
			p.Blocked = append(p.Blocked, k)
		}
	}

	// Break each cycle by releasing the label of its smallest key first.
	released := map[string]bool{}
	state := map[string]int{} // 0 unseen, 1 on the current path, 2 done
	for _, k := range keys {
		if stuck[k] || blocked[k] || state[k] != 0 {
			continue
		}
		var path []string
		cur := k
		for state[cur] != 2 {
			if state[cur] == 1 {
				// cur starts a cycle: the path from cur to the end is it.
				i := indexOf(path, cur)
				min := cur
				for _, c := range path[i:] {
					if c < min {
						min = c
					}
				}
				released[min] = true
				break
			}
			state[cur] = 1
			path = append(path, cur)
			next, ok := waitsOn[cur]
			if !ok {
				break
			}
			cur = next
		}
		for _, c := range path {
			state[c] = 2
		}
	}

	// Order: releases and renames whose label is free first (by key), then
	// each rename right after the one that frees its label.
	var queue []int
	add := func(r LabelRename) int {
		p.Renames = append(p.Renames, r)
		return len(p.Renames) - 1
	}
	for _, k := range keys {
		if released[k] {
			queue = append(queue, add(LabelRename{Key: k, From: in.Current[k], After: -1, Release: true}))
		}
	}
	for _, k := range keys {
		if stuck[k] || blocked[k] || released[k] {
			continue
		}
		if _, waits := waitsOn[k]; !waits {
			queue = append(queue, add(LabelRename{Key: k, From: in.Current[k], To: target[k], After: -1}))
		}
	}
	// takers[label] is the key that wants a label some rename frees.
	takers := map[string]string{}
	for k, h := range waitsOn {
		if !blocked[k] {
			takers[*in.Current[h]] = k
		}
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		r := p.Renames[i]
		if r.From == nil {
			continue
		}
		k, ok := takers[*r.From]
		if !ok {
			continue
		}
		from := in.Current[k]
		if released[k] {
			from = nil
		}
		queue = append(queue, add(LabelRename{Key: k, From: from, To: target[k], After: i}))
	}
	return p
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
