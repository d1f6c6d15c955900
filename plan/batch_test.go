package plan

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParseBatchSizes(t *testing.T) {
	tests := []struct {
		in      string
		want    string // the sizes, written back
		wantErr string
	}{
		{in: "1,10%,100%", want: "[1 10% 100%]"},
		{in: "5", want: "[5]"},
		{in: " 1 , 50% ", want: "[1 50%]"},
		{in: "", wantErr: "no batch sizes: give sizes separated by commas"},
		{in: "0", wantErr: "batch size 0: a batch needs at least one host"},
		{in: "-2", wantErr: "batch size -2: a batch needs at least one host"},
		{in: "0%", wantErr: "batch size 0%: a batch needs at least one host"},
		{in: "150%", wantErr: "batch size 150%: a percentage of the hosts can be at most 100%"},
		{in: "abc", wantErr: `"abc" is not a batch size: give a number of hosts`},
		{in: "1,,2", wantErr: `"" is not a batch size`},
		{in: "1.5", wantErr: `"1.5" is not a batch size`},
		{in: "10%%", wantErr: `"10%%" is not a batch size`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBatchSizes(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("wrong error\ngot:  %v\nwant: containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || fmt.Sprint(got) != tt.want {
				t.Errorf("wrong result\ngot:  %v (%v)\nwant: %s", got, err, tt.want)
			}
		})
	}
}

func TestParseFailLimit(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "0", want: "0"},
		{in: "2", want: "2"},
		{in: "10%", want: "10%"},
		{in: "0%", want: "0%"},
		{in: "100%", want: "100%"},
		{in: "-1", wantErr: "failure limit -1: give 0 (stop after any failure) or more"},
		{in: "101%", wantErr: "failure limit 101%: a percentage of the hosts can be at most"},
		{in: "", wantErr: `"" is not a failure limit`},
		{in: "ten", wantErr: `"ten" is not a failure limit: give a number of hosts`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFailLimit(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("wrong error\ngot:  %v\nwant: containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Errorf("wrong result\ngot:  %v (%v)\nwant: %s", got, err, tt.want)
			}
		})
	}
}

func TestSplitBatches(t *testing.T) {
	tests := []struct {
		name  string
		hosts int
		sizes string // "" means none
		want  []int
	}{
		{"no sizes: one batch", 7, "", []int{7}},
		{"no hosts: no batch", 0, "1,100%", nil},
		{"canary, 10%, the rest", 50, "1,10%,100%", []int{1, 5, 44}},
		{"the last size repeats", 12, "5", []int{5, 5, 2}},
		{"a list, then its last size", 6, "3,1", []int{3, 1, 1, 1}},
		{"a percentage rounds down", 25, "10%", []int{2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1}},
		{"a small percentage takes one host", 3, "10%", []int{1, 1, 1}},
		{"sizes beyond the hosts", 2, "1,1,1,1", []int{1, 1}},
		{"a batch larger than the rest", 4, "1,100%", []int{1, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sizes []BatchSize
			if tt.sizes != "" {
				var err error
				if sizes, err = ParseBatchSizes(tt.sizes); err != nil {
					t.Fatal(err)
				}
			}
			hosts := make([]int, tt.hosts)
			for i := range hosts {
				hosts[i] = i
			}

			batches := splitBatches(hosts, sizes)

			var got []int
			var order []int
			for _, b := range batches {
				got = append(got, len(b))
				order = append(order, b...)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("wrong result\ngot:  %v\nwant: %v", got, tt.want)
			}
			if !slices.Equal(order, hosts) && tt.hosts > 0 {
				t.Errorf("wrong order\ngot:  %v\nwant: %v", order, hosts)
			}
		})
	}
}

func TestFailLimit_exceeded(t *testing.T) {
	tests := []struct {
		limit           string
		failed, started int
		want            bool
	}{
		{"0", 0, 5, false},
		{"0", 1, 5, true},
		{"1", 1, 5, false},
		{"1", 2, 5, true},
		{"20%", 1, 5, false}, // exactly 20% is not over
		{"20%", 2, 5, true},
		{"10%", 1, 1, true}, // a failed canary is 100%
		{"0%", 1, 100, true},
		{"100%", 3, 3, false},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s with %d of %d", tt.limit, tt.failed, tt.started)
		t.Run(name, func(t *testing.T) {
			l, err := ParseFailLimit(tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got := l.exceeded(tt.failed, tt.started); got != tt.want {
				t.Errorf("wrong result\ngot:  %v\nwant: %v", got, tt.want)
			}
		})
	}
}

func TestHaltReason(t *testing.T) {
	tests := []struct {
		name    string
		limit   FailLimit
		batches []BatchResult
		want    string
	}{
		{"one batch", FailLimit{N: 1}, []BatchResult{{Hosts: 5, Failed: 2}},
			"2 hosts failed in batch 1, over -max-fail 1"},
		{"the canary", FailLimit{N: 0}, []BatchResult{{Hosts: 1, Failed: 1}},
			"1 host failed in batch 1, over -max-fail 0"},
		{"two batches", FailLimit{N: 1}, []BatchResult{{Hosts: 1, Failed: 1}, {Hosts: 2},
			{Hosts: 2, Failed: 1, Unreachable: 1}},
			"2 hosts failed in batches 1 and 3, over -max-fail 1"},
		{"a percentage", FailLimit{N: 20, Percent: true}, []BatchResult{{Hosts: 5, Failed: 2}},
			"2 of 5 hosts started (40%) failed in batch 1, over -max-fail 20%"},
		{"a fraction", FailLimit{N: 10, Percent: true}, []BatchResult{{Hosts: 1},
			{Hosts: 2, Failed: 1}, {Hosts: 3, Failed: 1}, {Hosts: 3, Failed: 1}},
			"3 of 9 hosts started (33.3%) failed in batches 2, 3 and 4, over -max-fail 10%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := haltReason(tt.limit, tt.batches); got != tt.want {
				t.Errorf("wrong result\ngot:  %s\nwant: %s", got, tt.want)
			}
		})
	}
}
