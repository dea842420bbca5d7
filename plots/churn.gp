# Memory over time through the churn phases, one panel per backing x allocator, phases
# shaded. Set by the generated script: npanels, rows, cols, panel_data, panel_title,
# panel_phases (arrays: per panel a data file (t_s, live, rss, charged, AnonHugePages in
# MiB), a title and a script of shaded rectangles), what, machine.
reset
load hb_tmpl.'/common.gp'
set multiplot layout rows, cols title what."\n".machine font 'Sans,11'
set xlabel 'time (s)'
set ylabel 'memory (MiB)'
set yrange [0:*]
# Room above the data for the key.
set offsets 0, 0, graph 0.3, 0
set key top right font 'Sans,8' opaque
do for [i=1:npanels] {
	unset object
	unset label
	load panel_phases[i]
	set title panel_title[i] font 'Sans,10'
	plot panel_data[i] using 1:2 with lines lc rgb '#000000' lw 2 title 'live (store)', \
		'' using 1:3 with lines ls 1 title 'Rss', \
		'' using 1:4 with lines ls 2 dt 2 title 'charged (cgroup)', \
		'' using 1:5 with lines ls 3 dt 3 title 'AnonHugePages'
}
unset multiplot
