package eyes_test

import (
	"slices"
	"testing"

	"github.com/omnify-cloud/omnify/eyes"
)

func TestSampleProjection(t *testing.T) {
	big := make([]int, 10_000)
	for i := range big {
		switch {
		case i%100 == 0:
			big[i] = 2 // 1% of the points
		case i%2 == 0:
			big[i] = 0
		default:
			big[i] = 1
		}
	}
	tiny := append(slices.Repeat([]int{0}, 999), 7) // one point of segment 7
	tests := []struct {
		name      string
		segments  []int
		limit     int
		wantLen   int
		wantShare map[int]int // segment → points expected in the sample
	}{
		{"under the limit keeps all", []int{0, 1, 1, 0}, 10, 4, map[int]int{0: 2, 1: 2}},
		{"zero limit keeps none", []int{0, 1}, 0, 0, map[int]int{}},
		{"shares are kept", big, 1000, 1000, map[int]int{0: 490, 1: 500, 2: 10}},
		{"a one-point segment survives", tiny, 10, 11, map[int]int{0: 10, 7: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := eyes.SampleProjection(tc.segments, tc.limit)
			if len(got) != tc.wantLen {
				t.Fatalf("sampled %d points, want %d", len(got), tc.wantLen)
			}
			if !slices.IsSorted(got) {
				t.Fatal("indices are not ascending")
			}
			count := map[int]int{}
			for i, idx := range got {
				if i > 0 && got[i-1] == idx {
					t.Fatalf("index %d picked twice", idx)
				}
				count[tc.segments[idx]]++
			}
			for seg, want := range tc.wantShare {
				if count[seg] != want {
					t.Errorf("segment %d has %d points, want %d", seg, count[seg], want)
				}
			}
		})
	}
}
