#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make patches: turn the project into the mailing-list series, in
# build/patches/ (a cover letter and one git-format-patch file per commit).
#
# The series is specified in patches/upstream/:
#   NN-name.msg        one upstream commit each, in NN order: its subject
#                      line, a blank line and the body (why), then a trailer
#                      of lines "Patches: NAME..." (patches/*.patch, applied
#                      with git apply in this order), "Files: PATH..." (new
#                      kernel files of the project, copied as they are;
#                      "DIR/" means every project file under DIR) and
#                      "Maintainers: PATTERN..." (F: lines this commit adds
#                      to the MAINTAINERS entry).  Keys may repeat; the
#                      trailer starts at the first line with such a key.
#   MAINTAINERS-entry  title, M:, L:, S: lines of the MAINTAINERS entry.
#   cover-letter.txt   subject, blank line, body.  Its line "@PERFORMANCE@"
#                      becomes the table of $KTLS_BENCH_CSV (default
#                      results/host_vdso.csv, from make bench), or a
#                      pointer to the README.
#   excluded           project files under kernel paths kept out of the
#                      series on purpose: "PATH" or "DIR/", then "# why".
# Every patch of patches/series and every project file under a kernel path
# (harness/common.sh overlay_files) must be in exactly one commit, or in
# "excluded"; anything missing or doubled fails the run.
#
# The commits are built in build/upstream-git, a git repository of the
# pristine linux-source-6.1 (a real copy: tag ktls-base), on the branch
# ktls-upstream.  Commit dates derive from the project's HEAD commit, so an
# unchanged input gives the same commits; an unchanged run does nothing.
#
# Environment: KTLS_BENCH_CSV, KTLS_SUBJECT_PREFIX (default "PATCH"),
# KTLS_UPSTREAM_SPEC (another spec folder, for testing the checks),
# KTLS_PATCHES_FORCE=1 (rebuild even when the inputs are unchanged).
set -euo pipefail
. "$(dirname "$0")/common.sh"

spec=${KTLS_UPSTREAM_SPEC:-$top/patches/upstream}
git_tree=$build/upstream-git
out=$build/patches
bench_csv=${KTLS_BENCH_CSV:-$top/results/host_vdso.csv}
prefix=${KTLS_SUBJECT_PREFIX:-PATCH}
ident_name="ktls developers"
ident_email="ktls@localhost"
to=linux-kernel@vger.kernel.org
cc=linux-api@vger.kernel.org

# git in the series repository only, never the project's.
G() {
	git --git-dir="$git_tree/.git" --work-tree="$git_tree" -C "$git_tree" "$@"
}
export GIT_AUTHOR_NAME=$ident_name GIT_AUTHOR_EMAIL=$ident_email
export GIT_COMMITTER_NAME=$ident_name GIT_COMMITTER_EMAIL=$ident_email

# --- 1. The spec and its pieces --------------------------------------

mapfile -t msgs < <(cd "$spec" && ls -1 -- [0-9]*.msg 2>/dev/null | LC_ALL=C sort)
[ ${#msgs[@]} -gt 0 ] || die "no commit in $spec (expected NN-name.msg files)"
for f in MAINTAINERS-entry cover-letter.txt; do
	[ -f "$spec/$f" ] || die "$spec/$f missing"
done

# The message part of a spec file: up to the trailer, without trailing
# blank lines.
msg_text() {
	awk '/^(Patches|Files|Maintainers):/ { exit } { print }' "$1" |
		sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}
# The words of every "KEY:" line of a spec file.
msg_key() {
	awk -v k="$2:" '$1 == k { for (i = 2; i <= NF; i++) print $i }' "$1"
}

mapfile -t all_overlay < <(overlay_files)
declare -A is_overlay in_series
for f in "${all_overlay[@]}"; do is_overlay[$f]=1; done
for p in $(series_patches); do in_series[$p]=1; done
mapfile -t excluded < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' \
	"$spec/excluded" 2>/dev/null || true)

is_excluded() {
	local e
	for e in "${excluded[@]}"; do
		case $e in
		*/) [[ $1 == "$e"* ]] && return 0 ;;
		*) [ "$1" = "$e" ] && return 0 ;;
		esac
	done
	return 1
}

# Expand a Files: entry to project files.
expand_files() {
	local entry=$1 f n=0
	if [[ $entry == */ ]]; then
		for f in "${all_overlay[@]}"; do
			[[ $f == "$entry"* ]] || continue
			echo "$f"
			n=$((n + 1))
		done
		[ $n -gt 0 ] || { echo "error: Files: $entry matches no project file" >&2; return 1; }
	else
		[ -n "${is_overlay[$entry]:-}" ] ||
			{ echo "error: Files: $entry is not a project kernel file" >&2; return 1; }
		echo "$entry"
	fi
}

declare -A patch_owner file_owner
declare -a commit_patches commit_files commit_maint
bad=0
for i in "${!msgs[@]}"; do
	m=$spec/${msgs[$i]}
	subject=$(head -n 1 "$m")
	[ -n "$subject" ] || { echo "error: ${msgs[$i]}: empty subject line" >&2; bad=1; }
	[ -z "$(sed -n 2p "$m")" ] || { echo "error: ${msgs[$i]}: line 2 must be blank" >&2; bad=1; }
	[ -n "$(msg_text "$m" | tail -n +3)" ] ||
		{ echo "error: ${msgs[$i]}: no body (say why)" >&2; bad=1; }
	ps=() fs=()
	for p in $(msg_key "$m" Patches); do
		[ -f "$top/patches/$p" ] || { echo "error: ${msgs[$i]}: patches/$p does not exist" >&2; bad=1; continue; }
		if [ -n "${patch_owner[$p]:-}" ]; then
			echo "error: patches/$p is in ${patch_owner[$p]} and ${msgs[$i]}" >&2
			bad=1
		fi
		patch_owner[$p]=${msgs[$i]}
		ps+=("$p")
	done
	for e in $(msg_key "$m" Files); do
		if ! list=$(expand_files "$e"); then bad=1; continue; fi
		while read -r f; do
			if is_excluded "$f"; then
				echo "error: $f is in ${msgs[$i]} and in patches/upstream/excluded" >&2
				bad=1
			fi
			if [ -n "${file_owner[$f]:-}" ]; then
				echo "error: $f is in ${file_owner[$f]} and ${msgs[$i]}" >&2
				bad=1
			fi
			file_owner[$f]=${msgs[$i]}
			fs+=("$f")
		done <<< "$list"
	done
	[ ${#ps[@]} -gt 0 ] || [ ${#fs[@]} -gt 0 ] ||
		{ echo "error: ${msgs[$i]}: no Patches: and no Files:" >&2; bad=1; }
	commit_patches[$i]="${ps[*]}"
	commit_files[$i]="${fs[*]}"
	commit_maint[$i]="$(msg_key "$m" Maintainers | tr '\n' ' ')"
done
for p in $(series_patches); do
	[ -n "${patch_owner[$p]:-}" ] ||
		{ echo "error: patches/$p (in patches/series) is in no upstream commit" >&2; bad=1; }
done
for p in "${!patch_owner[@]}"; do
	[ -n "${in_series[$p]:-}" ] ||
		{ echo "error: patches/$p (in ${patch_owner[$p]}) is not in patches/series" >&2; bad=1; }
done
for f in "${all_overlay[@]}"; do
	[ -n "${file_owner[$f]:-}" ] || is_excluded "$f" ||
		{ echo "error: $f (a project kernel file) is in no upstream commit" >&2; bad=1; }
done
# Every file the series adds must be covered by the MAINTAINERS entry.
all_maint=$(printf '%s\n' "${commit_maint[@]}" | tr ' ' '\n' | sed '/^$/d')
for f in "${!file_owner[@]}"; do
	covered=0
	while read -r pat; do
		[ -n "$pat" ] || continue
		if [ "$f" = "$pat" ] || { [[ $pat == */ ]] && [[ $f == "$pat"* ]]; }; then
			covered=1
			break
		fi
	done <<< "$all_maint"
	[ $covered -eq 1 ] ||
		{ echo "error: $f (in ${file_owner[$f]}) matches no Maintainers: pattern" >&2; bad=1; }
done
[ $bad -eq 0 ] || die "${spec#$top/} does not cover the project exactly once (see above)"
say "patches: ${#msgs[@]} commits; ${#patch_owner[@]} patches and ${#file_owner[@]} new files, each in exactly one commit"

# --- 2. Skip when nothing changed ----------------------------------------

[ -f "$tarball" ] || die "$tarball missing: run harness/deps.sh"
version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
base_date=$(git -C "$top" log -1 --format=%ct 2>/dev/null || echo 1700000000)
inputs_hash() {
	{
		echo "$version $base_date $prefix $to $cc"
		cat "$0" "$spec"/*
		printf '%s\n' "${!patch_owner[@]}" | LC_ALL=C sort |
			while read -r p; do echo "$p"; cat "$top/patches/$p"; done
		printf '%s\n' "${!file_owner[@]}" | LC_ALL=C sort |
			while read -r f; do echo "$f"; cat "$top/$f"; done
		[ -f "$bench_csv" ] && cat "$bench_csv"
		echo end
	} | sha256sum | cut -c1-16
}
hash=$(inputs_hash)
if [ "${KTLS_PATCHES_FORCE:-0}" != 1 ] &&
   [ "$(cat "$out/.ktls-inputs" 2>/dev/null)" = "$hash" ] &&
   [ -d "$git_tree/.git" ] &&
   [ "$(G rev-parse -q --verify refs/heads/ktls-upstream 2>/dev/null)" = \
     "$(cat "$out/.ktls-tip" 2>/dev/null)" ]; then
	say "patches: up to date ($(ls "$out"/*.patch | wc -l) files in ${out#$top/}/)"
	exit 0
fi

# --- 3. The pristine base repository, made once per package version -------

if [ "$(cat "$git_tree/.git/ktls-base-version" 2>/dev/null)" != "$version" ] ||
   ! G rev-parse -q --verify refs/tags/ktls-base >/dev/null 2>&1; then
	say "patches: creating the base repository ${git_tree#$top/} from linux-source-6.1 $version (about 1 min)"
	rm -rf "$git_tree" "$git_tree.tmp"
	mkdir -p "$git_tree.tmp"
	tar -C "$git_tree.tmp" -xf "$tarball"
	mv "$git_tree.tmp/linux-source-6.1" "$git_tree"
	rmdir "$git_tree.tmp"
	git init -q "$git_tree"
	G config user.name "$ident_name"
	G config user.email "$ident_email"
	G config core.autocrlf false
	G config gc.auto 0
	G config commit.gpgsign false
	G config tag.gpgsign false
	G add -A -f .
	kv=$(sed -n -e 's/^VERSION = //p' -e 's/^PATCHLEVEL = //p' -e 's/^SUBLEVEL = //p' \
		"$git_tree/Makefile" | paste -sd.)
	GIT_AUTHOR_DATE="@$base_date +0000" GIT_COMMITTER_DATE="@$base_date +0000" \
		G commit -q -m "Linux $kv (Debian linux-source-6.1 $version)" \
		-m "The pristine tree of Debian's linux-source-6.1 package, version $version,
from /usr/src/linux-source-6.1.tar.xz: the base of the ktls series."
	G tag -f ktls-base >/dev/null
	echo "$version" > "$git_tree/.git/ktls-base-version"
	say "patches: base commit $(G rev-parse --short ktls-base)"
fi

# --- 4. One commit per spec file ----------------------------------------

# Write MAINTAINERS with the KTLS entry holding the F: patterns given.
update_maintainers() {
	perl - "$git_tree/MAINTAINERS" "$spec/MAINTAINERS-entry" "$@" <<'PERL'
use strict; use warnings;
my ($file, $entry, @pats) = @ARGV;
open(my $e, '<', $entry) or die "$entry: $!";
my @head = grep { !/^\s*$/ } map { s/\s+$//r } <$e>;
close $e;
my $title = $head[0];
my @sect = (@head, map { "F:\t$_" } sort { $a cmp $b } @pats);
open(my $in, '<', $file) or die "$file: $!";
my @l = map { s/\n$//r } <$in>;
close $in;
# Drop an earlier version of the entry.
for (my $i = 0; $i < @l; $i++) {
	next unless $l[$i] eq $title && ($i == 0 || $l[$i - 1] eq '');
	my $j = $i;
	$j++ while $j < @l && $l[$j] ne '';
	splice(@l, $i, $j - $i + 1);
	last;
}
# Insert after the section whose title is the greatest one below ours
# (the file is not sorted everywhere).
my ($best, $at);
for (my $i = 1; $i < @l - 1; $i++) {
	next unless $l[$i - 1] eq '' && $l[$i] ne '' && $l[$i] !~ /^[A-Z]:/ &&
		    $l[$i + 1] =~ /^[A-Z]:\t/;
	next unless lc($l[$i]) lt lc($title);
	next if defined $best && lc($l[$i]) le lc($best);
	($best, $at) = ($l[$i], $i);
}
die "no place for $title in MAINTAINERS\n" unless defined $at;
$at++ while $at < @l && $l[$at] ne '';
splice(@l, $at + 1, 0, @sect, '');
open(my $o, '>', $file) or die "$file: $!";
print $o "$_\n" for @l;
close $o;
PERL
}

say "patches: building branch ktls-upstream on ktls-base"
G checkout -q -f -B ktls-upstream ktls-base
G clean -fdxq
maint=()
msgfile=$(mktemp)
trap 'rm -f "$msgfile"' EXIT
for i in "${!msgs[@]}"; do
	n=$((i + 1))
	for p in ${commit_patches[$i]}; do
		G apply --index "$top/patches/$p" ||
			die "${msgs[$i]}: patches/$p does not apply with git apply"
	done
	for f in ${commit_files[$i]}; do
		[ -e "$git_tree/$f" ] && die "${msgs[$i]}: $f already exists in the tree"
		mkdir -p "$git_tree/$(dirname "$f")"
		cp --preserve=mode "$top/$f" "$git_tree/$f"
		G add -f -- "$f"
	done
	if [ -n "${commit_maint[$i]// /}" ]; then
		# shellcheck disable=SC2206
		maint+=(${commit_maint[$i]})
		update_maintainers "${maint[@]}"
		G add MAINTAINERS
	fi
	G diff --cached --quiet && die "${msgs[$i]}: the commit changes nothing"
	{
		msg_text "$spec/${msgs[$i]}"
		echo
		echo "Signed-off-by: $ident_name <$ident_email>"
	} > "$msgfile"
	d="@$((base_date + n * 60)) +0000"
	GIT_AUTHOR_DATE=$d GIT_COMMITTER_DATE=$d G commit -q --no-verify -F "$msgfile"
	say "patches: [$n/${#msgs[@]}] $(G log -1 --format='%h %s') ($(G diff --shortstat HEAD~1 HEAD | sed 's/^ //'))"
done

# --- 5. git format-patch and the cover letter --------------------------

performance() {
	if [ ! -f "$bench_csv" ]; then
		echo "No benchmark results were found (${bench_csv#$top/}); see README.md"
		echo "(make run prints the benchmark table)."
		return
	fi
	perl - "$bench_csv" "${bench_csv#$top/}" <<'PERL'
use strict; use warnings;
use Text::ParseWords qw(parse_line);
my ($file, $name) = @ARGV;
open(my $in, '<', $file) or die "$file: $!";
my $hdr = <$in>;
defined $hdr or do { print "The benchmark file $name is empty; see README.md.\n"; exit 0 };
$hdr =~ s/\r?\n$//;
my @cols = parse_line(',', 0, $hdr);
my (%by, @order, %progs);
while (my $l = <$in>) {
	$l =~ s/\r?\n$//;
	next if $l =~ /^\s*$/;
	my @v = parse_line(',', 0, $l);
	my %r; @r{@cols} = map { defined ? $_ : '' } @v;
	my $s = $r{section} // 'results';
	push @order, $s unless $by{$s};
	push @{$by{$s}}, \%r;
	$progs{$r{program} // '?'} = 1;
}
close $in;
unless (@order) { print "The benchmark file $name has no rows; see README.md.\n"; exit 0 }
my @p = sort keys %progs;
print "Medians from $name (", join(', ', @p), ").\n";
print "Measured in a QEMU guest: under TCG these are emulation figures,\nnot hardware ones.\n"
	if grep { /guest/ } @p;
for my $s (@order) {
	my @rows;
	for my $r (@{$by{$s}}) {
		my $what = $r->{method} // '';
		$what .= " [$r->{path}]" if ($r->{path} // '') ne '' && $r->{path} ne $what;
		my $where = $r->{where} // '';
		my ($val, $rest);
		if (($r->{status} // '') eq 'ok' && ($r->{median} // '') ne '') {
			my $m = $r->{median};
			$val = $m >= 100 ? sprintf('%.0f', $m) : $m >= 10 ? sprintf('%.1f', $m) : sprintf('%.2f', $m);
			$val .= " $r->{unit}" if ($r->{unit} // '') ne '';
			$rest = ($r->{ratio} // '') ne '' && ($r->{ref} // '') ne ''
				? sprintf('%.3fx %s', $r->{ratio}, $r->{ref}) : '';
		} else {
			$val = '-';
			$rest = $r->{status} // '';
		}
		push @rows, [$what, $where, $val, $rest];
	}
	my @w = (0, 0, 0);
	for my $r (@rows) { for my $c (0 .. 2) { $w[$c] = length $r->[$c] if length $r->[$c] > $w[$c] } }
	print "\n$s:\n";
	for my $r (@rows) {
		my $line = sprintf("  %-*s  %-*s  %*s  %s", $w[0], $r->[0], $w[1], $r->[1], $w[2], $r->[2], $r->[3]);
		$line =~ s/\s+$//;
		print "$line\n";
	}
}
PERL
}

rm -rf "$out"
mkdir -p "$out"
G format-patch -q --cover-letter --subject-prefix="$prefix" --to="$to" --cc="$cc" \
	-o "$out" ktls-base..ktls-upstream
cover=$(ls "$out"/0000-cover-letter.patch)
perf=$(mktemp)
trap 'rm -f "$msgfile" "$perf"' EXIT
performance > "$perf"
perl - "$spec/cover-letter.txt" "$perf" "$cover" > "$cover.new" <<'PERL'
use strict; use warnings;
my ($letter, $perf, $cover) = @ARGV;
sub slurp { open(my $f, '<', $_[0]) or die "$_[0]: $!"; local $/; my $s = <$f>; close $f; $s }
my @body = split /\n/, slurp($letter), -1;
my $subject = shift @body;
shift @body while @body && $body[0] eq '';
pop @body while @body && $body[-1] eq '';
my $p = slurp($perf);
$p =~ s/\n+$//;
my $blurb = join("\n", map { $_ eq '@PERFORMANCE@' ? $p : $_ } @body);
my $s = slurp($cover);
$s =~ s/\*\*\* SUBJECT HERE \*\*\*/$subject/ or die "no subject placeholder\n";
$s =~ s/\*\*\* BLURB HERE \*\*\*/$blurb/ or die "no blurb placeholder\n";
print $s;
PERL
mv "$cover.new" "$cover"
grep -q '@PERFORMANCE@\|\*\*\* SUBJECT HERE\|\*\*\* BLURB HERE' "$cover" &&
	die "the cover letter still holds a placeholder"

echo "$hash" > "$out/.ktls-inputs"
G rev-parse ktls-upstream > "$out/.ktls-tip"
say "patches: wrote $(ls "$out"/*.patch | wc -l) files to ${out#$top/}/:"
(cd "$out" && ls -1 -- *.patch | sed 's/^/  /')
