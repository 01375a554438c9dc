package linkedin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/omnify-cloud/omnify/connector"
)

// postsBatch is how many posts one BATCH_GET asks for.
const postsBatch = 100

// readCreatives pages an account's creatives (q=criteria, cursor pages)
// and, page by page, fetches the posts sponsored content points at, so
// each creative record carries its ad copy.
func readCreatives(ctx context.Context, cl *client, base string, st FullState, e connector.Emitter) error {
	q := query{}.add("q", "criteria")
	return walkPages(ctx, cl, base+"/creatives", q, creativesPageSize, st, e, func(elems []json.RawMessage) error {
		posts, err := fetchPosts(ctx, cl, postRefs(elems))
		if err != nil {
			return err
		}
		for _, raw := range elems {
			rec, err := mapCreative(raw, posts)
			if err != nil {
				return fmt.Errorf("%w: %w", err, connector.ErrPermanent)
			}
			if err := e.Record(ctx, rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// postRefs lists the distinct post URNs creatives reference.
func postRefs(elems []json.RawMessage) []string {
	seen := map[string]bool{}
	var out []string
	for _, raw := range elems {
		var c adCreative
		if json.Unmarshal(raw, &c) != nil {
			continue
		}
		ref := c.Content.Reference
		if (strings.HasPrefix(ref, "urn:li:share:") || strings.HasPrefix(ref, "urn:li:ugcPost:")) && !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	return out
}

// fetchPosts BATCH_GETs posts by URN. Posts LinkedIn cannot return (deleted,
// not visible) are left out; their creatives keep an empty ad copy.
func fetchPosts(ctx context.Context, cl *client, urns []string) (map[string]post, error) {
	out := map[string]post{}
	for len(urns) > 0 {
		n := min(len(urns), postsBatch)
		ids := make(rlList, n)
		for i, u := range urns[:n] {
			ids[i] = u
		}
		urns = urns[n:]
		var res struct {
			Results map[string]post `json:"results"`
		}
		if err := cl.get(ctx, "/posts", query{}.add("ids", ids), &res); err != nil {
			return nil, fmt.Errorf("ad copy of creatives: %w", err)
		}
		for k, v := range res.Results {
			out[k] = v
		}
	}
	return out, nil
}
