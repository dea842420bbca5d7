# Time-series panels, one per cell, phases shaded. Set by the generated script: npanels, rows,
# cols, panel_data, panel_title, panel_phases (arrays: per panel a data file (t_s, then one
# column per line), a title and a script of shaded rectangles), panel_plot (the plot command
# of a panel, with its lines' styles and titles), what, xlabel, ylabel, machine.
reset
load hb_tmpl.'/common.gp'
set multiplot layout rows, cols title what."\n".machine font 'Sans,11'
set xlabel xlabel
set ylabel ylabel
set yrange [0:*]
set offsets 0, 0, graph 0.3, 0
set key top right font 'Sans,8' opaque
do for [i=1:npanels] {
	unset object
	unset label
	load panel_phases[i]
	set title panel_title[i] font 'Sans,10'
	eval panel_plot
}
unset multiplot
