package config

import "strings"

// joinOr joins list with commas, or returns empty when list is empty.
func joinOr(list []string, empty string) string {
	if len(list) == 0 {
		return empty
	}
	return strings.Join(list, ",")
}
