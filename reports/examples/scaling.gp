# Written by gilsim sweep.  To draw it again after a change:
#   cd to this folder, then: gnuplot scaling.gp
if (!exists("outfile")) outfile = "scaling.png"
set terminal pngcairo size 960,600 font "sans,11"
set output outfile
set termoption noenhanced
set title "Speedup versus workers: countdown, on a 2-core machine"
set xlabel "workers"
set ylabel "speedup over 1 worker of the same mode"
set grid
set key outside right top box
set border 3
set tics nomirror
set xrange [0:9]
set xtics (1, 2, 4, 8)
set yrange [0:*]
set arrow from 2, graph 0 to 2, graph 1 nohead dashtype 2 linecolor rgb "#777777"
set label "2 cores" at 2, graph 0.97 offset 0.6,0 textcolor rgb "#555555"
plot x title "ideal: speedup = workers" with lines dashtype 3 linewidth 1.5 linecolor rgb "#999999", \
     "scaling.dat" index 0 using 1:2:3:4 with yerrorlines title "threads" linewidth 2 pointtype 5 pointsize 1.3 linecolor rgb "#0072b2", \
     "scaling.dat" index 1 using 1:2:3:4 with yerrorlines title "processes" linewidth 2 pointtype 7 pointsize 1.3 linecolor rgb "#d55e00", \
     "scaling.dat" index 2 using 1:2:3:4 with yerrorlines title "async" linewidth 2 pointtype 9 pointsize 1.3 linecolor rgb "#009e73"
