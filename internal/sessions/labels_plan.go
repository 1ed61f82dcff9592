package sessions

import (
	"sort"
	"strings"
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
	// Written is, by key of Previous, the label this resource itself last
	// set (or found already set as wanted): a removed key is cleared only
	// while its label is still that one, so a label changed by hand since
	// is left. Previous holds the refreshed labels, which a refresh copies
	// from the listing, so it cannot tell. Nil: Previous is used.
	Written map[string]string
	// Exclusive clears the label of every active session not in Wanted.
	Exclusive bool
	// Shown, when not nil, bounds what Exclusive clears to what the plan
	// being applied showed: the labels of the sessions outside Wanted, by
	// key, as its refresh listed them. A session outside Wanted is cleared
	// only while its label is still the one shown; the others are
	// Unplanned and left alone.
	Shown map[string]string
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
	// Unaddressable are the labelled keys, sorted, that Exclusive leaves
	// alone because no write can name them (see Addressable).
	Unaddressable []string
	// KeptRemoved are the keys, sorted, that left Wanted and keep a label:
	// on_destroy keep (ClearRemoved unset), or a label changed by hand since
	// the resource set it. Exclusive leaves them too in this plan (a removed
	// key is never cleared but by ClearRemoved); the next plan shows them
	// among the others.
	KeptRemoved []string
	// Unplanned are the labelled keys, sorted, that Exclusive leaves alone
	// because Shown does not show their label: labelled or relabelled after
	// the plan. The next plan shows them.
	Unplanned []string

	// input is what the plan was made from: what a run records comes from
	// it (StateAfter).
	input LabelsInput
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
// which order. It calls nothing: the caller runs the plan (RunLabelPlan,
// Agent.RunLabels). It works in steps, each a method of labelPlanner below.
func PlanLabels(in LabelsInput) LabelPlan {
	pl := newLabelPlanner(in)
	pl.chooseTargets()
	pl.freeHeldLabels()
	pl.refuseDuplicates()
	pl.linkChains()
	pl.findBlocked()
	pl.breakCycles()
	pl.order()
	return pl.p
}

// labelPlanner is the working state of one PlanLabels.
type labelPlanner struct {
	in LabelsInput
	p  LabelPlan
	// target is the final label of every key that changes (nil: cleared).
	target map[string]*string
	// holder maps each current label to the key that holds it.
	holder map[string]string
	// keys are the keys of target, sorted (set by freeHeldLabels).
	keys []string
	// stuck are the keys in a conflict: they are not renamed.
	stuck map[string]bool
	// waitsOn maps a key to the key whose rename frees the label it wants.
	waitsOn map[string]string
	// blocked are the keys waiting, directly or down a chain, on a stuck key.
	blocked map[string]bool
	// released are the keys whose label is cleared first to break a cycle.
	released map[string]bool
}

func newLabelPlanner(in LabelsInput) *labelPlanner {
	pl := &labelPlanner{in: in, p: LabelPlan{input: in}, target: map[string]*string{},
		holder: make(map[string]string, len(in.Current)), stuck: map[string]bool{}, waitsOn: map[string]string{},
		blocked: map[string]bool{}, released: map[string]bool{}}
	for k, l := range in.Current {
		if l != nil {
			pl.holder[*l] = k
		}
	}
	return pl
}

// chooseTargets sets the final label of every key that changes: wanted
// keys whose label differs, removed keys to clear (ClearRemoved, when their
// label is still the one recorded) and, with Exclusive, every other
// labelled session a write can name whose label the plan showed (Shown).
// Wanted keys that are not active are Missing.
func (pl *labelPlanner) chooseTargets() {
	in := pl.in
	for k, w := range in.Wanted {
		cur, active := in.Current[k]
		switch {
		case !active:
			pl.p.Missing = append(pl.p.Missing, k)
		case cur == nil || *cur != w:
			pl.target[k] = &w
		}
	}
	sort.Strings(pl.p.Missing)
	for k := range in.Previous {
		if _, wanted := in.Wanted[k]; wanted {
			continue
		}
		w, written := in.written(k)
		cur := in.Current[k]
		switch {
		case in.ClearRemoved && written && cur != nil && *cur == w && Addressable(k):
			pl.target[k] = nil
		case cur != nil:
			pl.p.KeptRemoved = append(pl.p.KeptRemoved, k)
		}
	}
	sort.Strings(pl.p.KeptRemoved)
	if in.Exclusive {
		for k, cur := range in.Current {
			if _, wanted := in.Wanted[k]; wanted || cur == nil {
				continue
			}
			if _, removed := in.Previous[k]; removed {
				continue // see KeptRemoved
			}
			if !Addressable(k) {
				pl.p.Unaddressable = append(pl.p.Unaddressable, k)
				continue
			}
			if shown, ok := in.Shown[k]; in.Shown != nil && (!ok || shown != *cur) {
				pl.p.Unplanned = append(pl.p.Unplanned, k)
				continue
			}
			pl.target[k] = nil
		}
		sort.Strings(pl.p.Unaddressable)
		sort.Strings(pl.p.Unplanned)
	}
}

// Addressable reports whether a write can name the session key k: the API
// trims the key of a write, so a listed key with white space at either end
// (or an empty one) would reach another session, or none. The provider's
// key validator refuses the same keys in a configuration; a plan never
// writes to one from a listing.
func Addressable(k string) bool {
	return k != "" && strings.TrimSpace(k) == k
}

// written returns the label the resource last set on key k (see Written).
func (in LabelsInput) written(k string) (string, bool) {
	if in.Written == nil {
		w, ok := in.Previous[k]
		return w, ok
	}
	w, ok := in.Written[k]
	return w, ok
}

// freeHeldLabels looks at the holder of each wanted label that does not
// change itself: a key that left the map releases it (even when removed
// keys are kept: the move is what the configuration asks for, so it is not
// KeptRemoved); any other holder is a conflict. It then sorts the keys
// that change.
func (pl *labelPlanner) freeHeldLabels() {
	for k, to := range pl.target {
		if to == nil {
			continue
		}
		h, held := pl.holder[*to]
		if !held || h == k {
			continue
		}
		if _, changes := pl.target[h]; changes {
			continue
		}
		if _, wasManaged := pl.in.Previous[h]; wasManaged && Addressable(h) {
			if _, wanted := pl.in.Wanted[h]; !wanted {
				pl.target[h] = nil
				continue
			}
		}
		pl.p.Conflicts = append(pl.p.Conflicts, LabelConflict{Key: k, Label: *to, Holder: h})
	}
	kept := pl.p.KeptRemoved[:0]
	for _, k := range pl.p.KeptRemoved {
		if _, released := pl.target[k]; !released {
			kept = append(kept, k)
		}
	}
	pl.p.KeptRemoved = kept
	pl.keys = make([]string, 0, len(pl.target))
	for k := range pl.target {
		pl.keys = append(pl.keys, k)
	}
	sort.Strings(pl.keys)
}

// refuseDuplicates handles two keys that want the same label (the
// configuration should not allow it): the first by key takes it, the other
// conflicts with it. The conflicting keys are stuck.
func (pl *labelPlanner) refuseDuplicates() {
	taken := map[string]string{}
	for _, k := range pl.keys {
		if to := pl.target[k]; to != nil {
			if first, dup := taken[*to]; dup {
				pl.p.Conflicts = append(pl.p.Conflicts, LabelConflict{Key: k, Label: *to, Holder: first})
				continue
			}
			taken[*to] = k
		}
	}
	sort.Slice(pl.p.Conflicts, func(i, j int) bool { return pl.p.Conflicts[i].Key < pl.p.Conflicts[j].Key })
	for _, c := range pl.p.Conflicts {
		pl.stuck[c.Key] = true
	}
}

// linkChains records, for every key that wants a label another key holds,
// the holder it waits on.
func (pl *labelPlanner) linkChains() {
	for k, to := range pl.target {
		if to == nil || pl.stuck[k] {
			continue
		}
		if h, held := pl.holder[*to]; held && h != k {
			pl.waitsOn[k] = h
		}
	}
}

// reach is what a walk down a chain of waits finds.
type reach int

const (
	reachUnknown  reach = iota // not walked yet
	reachVisiting              // on the walk in progress: a cycle
	reachFree                  // the chain ends, or cycles, without a stuck key
	reachStuck                 // the chain ends at a stuck key
)

// findBlocked marks the keys that wait, directly or down a chain, on a
// stuck key: they cannot be renamed either.
func (pl *labelPlanner) findBlocked() {
	memo := map[string]reach{}
	var walk func(k string) reach
	walk = func(k string) reach {
		switch {
		case pl.stuck[k]:
			return reachStuck
		case memo[k] == reachVisiting: // a cycle: it is broken later
			return reachFree
		case memo[k] != reachUnknown:
			return memo[k]
		}
		memo[k] = reachVisiting
		res := reachFree
		if h, ok := pl.waitsOn[k]; ok && walk(h) == reachStuck {
			res = reachStuck
			pl.blocked[k] = true
		}
		memo[k] = res
		return res
	}
	for _, k := range pl.keys {
		if !pl.stuck[k] && walk(k) == reachStuck {
			pl.p.Blocked = append(pl.p.Blocked, k)
		}
	}
}

// visit is where a key is in breakCycles' walk.
type visit int

const (
	unvisited visit = iota
	onPath          // on the path being walked
	visited         // its chain is done
)

// breakCycles finds each cycle of waits (a swap, a rotation) and releases
// the label of its smallest key first.
func (pl *labelPlanner) breakCycles() {
	state := map[string]visit{}
	for _, k := range pl.keys {
		if pl.stuck[k] || pl.blocked[k] || state[k] != unvisited {
			continue
		}
		var path []string
		cur := k
		for state[cur] != visited {
			if state[cur] == onPath {
				// cur starts a cycle: the path from cur to the end is it.
				pl.released[smallest(path[indexOf(path, cur):])] = true
				break
			}
			state[cur] = onPath
			path = append(path, cur)
			next, ok := pl.waitsOn[cur]
			if !ok {
				break
			}
			cur = next
		}
		for _, c := range path {
			state[c] = visited
		}
	}
}

// order lists the renames: releases and renames whose label is free first
// (by key), then each rename right after the one that frees its label.
func (pl *labelPlanner) order() {
	in := pl.in
	var queue []int
	add := func(r LabelRename) int {
		pl.p.Renames = append(pl.p.Renames, r)
		return len(pl.p.Renames) - 1
	}
	for _, k := range pl.keys {
		if pl.released[k] {
			queue = append(queue, add(LabelRename{Key: k, From: in.Current[k], After: -1, Release: true}))
		}
	}
	for _, k := range pl.keys {
		if pl.stuck[k] || pl.blocked[k] || pl.released[k] {
			continue
		}
		if _, waits := pl.waitsOn[k]; !waits {
			queue = append(queue, add(LabelRename{Key: k, From: in.Current[k], To: pl.target[k], After: -1}))
		}
	}
	// takers[label] is the key that wants a label some rename frees.
	takers := map[string]string{}
	for k, h := range pl.waitsOn {
		if !pl.blocked[k] {
			takers[*in.Current[h]] = k
		}
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		r := pl.p.Renames[i]
		if r.From == nil {
			continue
		}
		k, ok := takers[*r.From]
		if !ok {
			continue
		}
		from := in.Current[k]
		if pl.released[k] {
			from = nil
		}
		queue = append(queue, add(LabelRename{Key: k, From: from, To: pl.target[k], After: i}))
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func smallest(s []string) string {
	least := s[0]
	for _, x := range s[1:] {
		if x < least {
			least = x
		}
	}
	return least
}
