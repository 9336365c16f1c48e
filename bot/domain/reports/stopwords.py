"""Words that carry no theme, in Finnish, Swedish and English: the textbook function words and the
forms people actually type in chat (mulla, oon, niinku, kyl; tror, nog, typ, asså; gonna, stuff, lot).

`STOP` lists exact word forms; they also tell an answer's language. `STOP_LEMMAS` are filler words
whose every inflected form is dropped: a word whose stem equals a stem of one of these goes too
(asia → asioista, asioihin; grej → grejerna; thing → things).
"""
from __future__ import annotations

STOP = {
    "fi": set("""
ja on ei se että oli ole olla ollut olen olet olemme olette ovat en et emme ette eivät eikä enkä etkä
kun ku kuin niin mutta mut tai vai jos vaan vaa vain myös myöskin sitten sit sitte nyt jo vielä viel
hyvin paljon paljo vähän vähä ihan aika joka jotka mikä mitä miten miksi miks missä mistä mihin kuka
ketä kenen kenelle keneltä millä mille mitkä minkä kumpi jonka jota joita joiden joille joissa jossa
josta johon jolla jolle joilla jolloin joten minä mä mää mie sinä sä sää sie hän me te he ne minun mun
minua mua minulle mulle minulla mulla mul minulta multa minusta musta minussa mussa minuun muhun minut
sinun sun sinua sua sinulle sulle sinulla sulla sul sinulta sulta sinusta susta sinussa sussa sinuun
suhun sinut sut hänen häntä hänelle hänellä häneltä hänestä häneen hänessä hänet meidän meiän meitä
meille meillä meil meiltä meistä meihin meissä meidät teidän teitä teille teillä teil teiltä teistä
teihin teissä teidät heidän heitä heille heillä heiltä heistä heihin heissä heidät niiden niitä niille
niillä niil niistä niihin niissä niiltä sen sitä sille sillä sil siltä siitä siit siihen siinä siin tämä
tää tän tätä tälle tällä täl tästä täst tähän tässä täs tältä nämä nää näiden näitä näille näillä näistä
näihin näissä tuo toi tuon ton tuota tota tuolle tolle tuolla tolla tuosta tosta tuohon tohon tuossa
tossa nuo noi noiden noita itse itseä itselle itsellä itsestä itseni itsensä itseään itsekin oma oman
omaa omat omalla omassa omasta oon oot ollaan ollaa olis ois oisin oisko olin olit olimme olitte olivat
oltiin ollu olleet oltu olisi olisin olisit olisimme olisitte olisivat olevan oleva olevat oleen oo onko
onks oliko oliks eiks eikö enää ollenkaan joku jotain jotakin jostain johonkin jossain joskus jotenkin
jonkun jonkin jokin jompikumpi kaikki kaiken kaikkea kaikille kaikilla kaikkien kaikkia kaikesta mitään
mikään kukaan ketään muu muut muita muiden muille muilla muista muuta muuten toinen toisen toista toiset
toisia toisten toisilleen ehkä kai varmaan varmaankin varmasti koska kosk vaikka vaik kanssa kans ilman
ennen jälkeen aikana yli alle jne yms eli sekä kuten asti saakka taas kyllä kyl kylhän joo juu jep jees
no noh okei ok oikeesti oikeestaan oikeastaan oikein tosi tosiaan todella todellakin niinku niinkun
niinkuin ihmeen sillee silleen sillai tällee tälleen noin näin semmonen semmosta sellanen sellasta
sellainen sellaista tollanen tällanen tämmönen tommonen siis just justiin ainakin edes esimerkiksi esim
vasta aina jälleen usein välillä yleensä heti silloin silti yhdessä yhden yhdellä ite hieman hiukan
melko aikas aikalailla tarpeeks tarpeeksi liian liikaa enemmän vähemmän eniten vähiten hirveesti
hirveästi kauheesti kamalasti täällä tääl tänne siellä siel sieltä sinne tuol missään mihinkään
minnekään tehdä tein teki tehnyt tehny tekee teen teet tehty tehdään tehtiin teh voi voin voit voisi
vois voisin voida voinut voinu voitiin pitää pitäis pitäisi piti pitäny täytyy täytyi tarvii saada sain
sai saanut saanu saa saan saisi sais tulla tuli tulee tullut tullu tulin mennä meni menee mennyt menny
mennään menin käy kävi käydä tiedä tiiä tiedän tiiän tietää tiesin taitaa tuntuu tuntui tuntu tuntunut
luulen luulin luulisin mietin mietitään ajattelin sanoa sanoi sano sanoin sanon sanoit sanot sanotaan
halusin haluan haluisin kiva kivaa kivasti kivoja hyvä hyvää hyviä hyvän hyvät parempi parasta paras
siistii siistiä mahtava mahtavaa huono huonoa huonoja huonot huonosti uusi uutta uuden uudet uusia
uudessa uudesta uudelleen vanha vanhaa eka ekaa ekana ekan yks yksi kaks kaksi kolme pari muutama
muutaman tänään eilen huomenna äsken nykyään hetki hetken hetkeksi opin oppia oppinut oppinu oppiminen
oppimisen työ työn työssä töissä töitä työt
""".split()),
    "sv": set("""
och i att det som en på är av för med till den har de inte int om ett han men var jag sig från vi så kan
man när år säger hon under också efter eller nu sin där vid mot ska sku skulle kommer ut får finns vara
hade alla andra mycket mkt än här då sen sedan över bara ba in blir upp även vad va få två vill ha många
hur mer går sätt denna kunde fick stor mellan se blev bli gör gjorde gjort dig dej mig mej min mitt mina
din ditt dina vår vårt våra er ert era deras hans hennes henne honom hen hens dem dom du ni dessa detta
dess vilken vilket vilka vem vems varför någon något några nån nåt nåra ingen inget inga ingenting själv
själva kanske lite väldigt jätte jättebra ganska verkligen typ liksom asså alltså ju nog väl ändå iaf
dock alltid aldrig ofta oftast ibland redan fortfarande ännu bra dåligt bättre bäst kul roligt skönt
nice okej ok ja nej jo japp nää tack hej nytt ny nya vecka veckan veckor idag igår imorgon tänkte tänker
tycker tyckte känner kände känns kändes tror trodde vet visste veta lärde lära lärt lärande arbete
arbetet jobbet jobb gång gången gånger haft varit blivit göra hela helt samma liten litet lilla små
stora eftersom medan utan innan genom kring runt mest både varje vissa annan annat egen eget egna rätt
riktigt lika precis faktiskt säkert absolut dit åt hos ner ned fram bort kvar tillbaka ens sa sade sagt
säga gick gått gå komma kom kommit ta tar tog tagit ser såg sett måste kunna kunnat ville velat fått
skall
""".split()),
    "en": set("""
a about above after again against all almost also always am among an and any anything are around as at
away back be because been before being below better between both but by can cannot could did do does
doing done don down during each either else enough even ever every few for from further get gets getting
got great had has have having he her here hers herself him himself his how however i if in into is it
its itself just keep kept kind know knew last less let like little lot lots made make makes making many
may maybe me might more most much must my myself need needed never new next no nor not nothing now of
off often on once one only or other others our ours ourselves out over own perhaps quite rather really
same see seem seemed she should since so some someone something sometimes still such sure take than that
the their theirs them themselves then there these they thing things think thought this those though
through to today together too took two under until up upon us use used very want was way we week weeks
well went were what when where whether which while who whom whose why will with within without would yes
yet you your yours yourself yourselves isn aren wasn weren didn doesn hasn haven couldn wouldn shouldn
won ll ve re time times day days feel felt feeling good bit first year learn learned learnt learning
work worked working i'm i've i'd i'll you're you've you'd you'll we're we've we'd we'll they're they've
they'd they'll he'd she'd isn't aren't wasn't weren't don't doesn't didn't can't couldn't won't wouldn't
shouldn't haven't hasn't hadn't ain't gonna wanna gotta kinda sorta yeah yep yup nope nah ok okay oh um
uh hmm lol btw tbh imo idk stuff actually basically literally honestly probably definitely totally
pretty super guess mean meant say said says tell told go goes going gone come came comes coming taken
saw seen look looked looking try tried trying put puts everything everyone everybody anyone anybody
somebody anywhere somewhere nowhere couple bunch big small nice cool fine bad best right whole sort
yesterday tomorrow tonight morning afternoon month months lately recently three gotten
""".split()),
}

# Filler nouns: every inflected form is dropped, not only the forms listed above.
STOP_LEMMAS = {
    "fi": "asia juttu homma kerta viikko päivä oppiminen",
    "sv": "sak grej grejs gång vecka dag",
    "en": "thing stuff time day week way learn bit lot",
}
