add-octal f 0600 0:0 2 092fcfbbcfca3b5b
octal f 0640 0:0 2 092fcfbbcfca3b5b
octal-dir d 0755 0:0 
octal-dir/g f 0755 0:0 2 768c71d785bf6bbb
setuid f 4755 0:0 2 092fcfbbcfca3b5b
