#!/usr/bin/env bash
# Builds auth/data/common-passwords.txt.gz, the list of passwords OmniFy
# refuses at registration (NIST SP 800-63B 5.1.1.2: breached passwords,
# dictionary words, repetitive or sequential strings).
#
# Inputs are Debian packages, so the output is reproducible:
#   apt-get install john-data wamerican
# Run from the repository root: scripts/commonpasswords/build.sh
set -euo pipefail
export LC_ALL=C

john=/usr/share/john/password.lst
dict=/usr/share/dict/american-english
out=auth/data/common-passwords.txt.gz
for f in "$john" "$dict"; do
	[[ -r $f ]] || { echo "missing $f: apt-get install john-data wamerican" >&2; exit 1; }
done

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# Breached passwords, most common first in the source; comments dropped.
grep -v '^#!comment:' "$john" | tr 'A-Z' 'a-z' >"$tmp"

# English dictionary words long enough to pass the length rule on their own.
grep -v "'" "$dict" | tr 'A-Z' 'a-z' | awk 'length($0) >= 12' >>"$tmp"

# The usual ways people stretch a short common password to a length rule:
# appended digits, years and punctuation, and doubling.
grep -v '^#!comment:' "$john" | tr 'A-Z' 'a-z' | awk '
	length($0) >= 4 && length($0) < 12 {
		n = split("1 12 123 1234 12345 123456 1234567 12345678 ! 1! 123! @123 2023 2024 2025 2026 01 69 007", s, " ")
		for (i = 1; i <= n; i++) {
			w = $0 s[i]
			if (length(w) >= 12) print w
		}
		if (length($0) >= 6) print $0 $0
	}' >>"$tmp"

# Keyboard walks and digit runs of every length the length rule admits.
awk 'BEGIN {
	n = split("1234567890 0987654321 qwertyuiopasdfghjklzxcvbnm 1qaz2wsx3edc4rfv5tgb6yhn 1q2w3e4r5t6y7u8i9o0p qazwsxedcrfvtgbyhnujmikolp abcdefghijklmnopqrstuvwxyz zaq12wsxcde34rfv", s, " ")
	for (i = 1; i <= n; i++) {
		walk = s[i]
		while (length(walk) < 40) walk = walk s[i]
		for (l = 12; l <= 40; l++) print substr(walk, 1, l)
	}
}' >>"$tmp"

mkdir -p "$(dirname "$out")"
sort -u "$tmp" | awk 'length($0) > 0' | gzip -n -9 >"$out"
echo "$(gzip -dc "$out" | wc -l) passwords -> $out"
