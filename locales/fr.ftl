# Les mots de postgate en français. Chaque identifiant existe aussi dans en.ftl
# (src/i18n.rs le vérifie) ; un message absent ici serait affiché en anglais.

## Sortie des erreurs

label-error = erreur :
label-hint = conseil :

## Bandeau

banner-official = OFFICIEL
banner-official-meaning = parle pour l'institution
banner-personal = PERSONNEL
banner-personal-meaning = parle pour une personne
banner-frame-title = COMPTE { $word }
banner-account = compte
banner-handle = identifiant
banner-display-name = nom affiché
banner-platform = plateforme
banner-platform-value = { $platform } (hôte : { $host })
banner-owner = responsable
banner-credential = accès
banner-action = action
banner-reply-to = en réponse à
banner-image = image { $number }
banner-image-alt = texte alt : { $alt }
banner-image-no-description = SANS DESCRIPTION
banner-visibility = visibilité
banner-language = langue
banner-content-warning = avertissement
banner-mode = mode
banner-dry-run = ESSAI À BLANC : rien ne sera publié
banner-count = { $length }/{ $max } { $unit }
banner-too-long = { $count } : TROP LONG de { $over }
banner-unit-characters = caractères
banner-unit-weighted = caractères pondérés
banner-post = publication
banner-hidden =
    { $count ->
        [one] { $count } caractère caché, affiché ⟨U+…⟩
       *[other] { $count } caractères cachés, affichés ⟨U+…⟩
    }
banner-checks = contrôles
banner-tally =
    { $deny } refus · { $approve } à approuver · { $warn } { $warn ->
        [one] avertissement
       *[other] avertissements
    }
banner-tally-approved =
    { $deny } refus · approuvé par { $names } · { $warn } { $warn ->
        [one] avertissement
       *[other] avertissements
    }
banner-suggestion = (suggestion : { $suggestion })
banner-more-lines =
    { $count ->
        [one] … { $count } ligne de plus
       *[other] … { $count } lignes de plus
    }
banner-more-lines-whole = { $lines } ; toute la publication est vérifiée et publiée
banner-level-deny = REFUS
banner-level-approve = VALIDER
banner-level-warn = ALERTE

## Questions

prompt-account = ({ $display_name }) : { $question }
prompt-type-handle = tapez son identifiant pour publier ({ $attempt }/{ $attempts }) :
prompt-publish-yes-no = publier sur ce compte ? { $choices }
prompt-choices = [o/N]
note-ctrl-d = Ctrl-D ignoré : il n'annule qu'une réponse vide (Ctrl-C annule)
note-ignored = { $key } ignoré : seuls les caractères imprimables comptent (Ctrl-C annule)
note-too-long = { $key } ignoré : la réponse dépasse { $columns } colonnes

## Refus de confirmation

mismatch-empty = rien n'a été tapé
mismatch-look-alike = `{ $typed }` ressemble à { $handle } mais n'est pas lui
mismatch-look-alike-with = `{ $typed }` ressemble à { $handle } mais n'est pas lui (il contient { $odd })
mismatch-different = `{ $typed }` n'est pas l'identifiant du compte `{ $name }` ({ $handle })
refusal-flag-mismatch = --confirm-handle ne correspond pas : { $why }
hint-flag-mismatch = passez --confirm-handle '{ $handle }' pour publier sur `{ $name }`
refusal-no-terminal = aucun terminal pour confirmer le compte cible `{ $name }`, et pas de --confirm-handle
hint-no-terminal = un script doit nommer l'identifiant qu'il vise : --confirm-handle '{ $handle }'
refusal-non-interactive-denied = le compte `{ $name }` n'accepte que les publications confirmées par une personne devant un terminal (non_interactive = "deny")
hint-non-interactive-denied = lancez postgate depuis un terminal, ou modifiez la politique du compte
refusal-terminal-unreadable = impossible de lire la réponse depuis le terminal : { $error }
refusal-cancelled-ctrl-c = non confirmé : annulé par Ctrl-C
refusal-cancelled-ctrl-d = non confirmé : annulé par Ctrl-D
refusal-cancelled-escape = non confirmé : annulé par Échap
refusal-terminal-closed = non confirmé : le terminal s'est fermé
refusal-nothing-typed = non confirmé : rien n'a été tapé
refusal-attempts = non confirmé après { $attempts } essais ; dernière réponse : { $last }
refusal-not-yes = non confirmé : la réponse n'était pas oui

## Accès

hint-login = enregistrez un accès avec `postgate login { $name }`
refusal-credential-missing = aucun accès dans le trousseau pour le compte `{ $name }` ({ $handle } sur { $host })
hint-credential-missing = lancez `postgate login { $name }` ; un accès est lié à l'hôte de plateforme pour lequel il a été enregistré, donc changer l'hôte du compte dans la politique demande aussi une nouvelle connexion
refusal-credential-broken = impossible de lire l'accès de `{ $name }` : { $why }
hint-store-again = enregistrez-le à nouveau avec `postgate login { $name }`

## Verrouillage

word-or = ou
refusal-locked-down = le compte `{ $name }` ({ $handle }) est verrouillé depuis { $at } par { $by } : { $reason }
hint-locked-down =
    rien n'a été publié ; { $anyone ->
        [yes] un approbateur
       *[no] un approbateur de rôle { $roles }
    } signe le déverrouillage (`postgate unlock { $name } --sign`), puis `postgate unlock { $name }`{ $login ->
        [yes] {" "}et `postgate login { $name }` avec un nouvel accès
       *[no] {""}
    }

## Identité

refusal-identity-mismatch = identité différente : { $difference }
hint-identity-mismatch = rien n'a été publié ; vérifiez quel accès est enregistré (`postgate login` à nouveau) et l'identifiant de la politique

## Contenu

refusal-empty-post = la publication est vide ; rien n'a été publié
refusal-rules = refusé par les règles de la politique : { $summary }
refusal-store-unreadable = `{ $name }` est { $kind ->
    [official] officiel
   *[other] personnel
  }, et [audit.shared] exige son magasin, qui ne peut pas être lu : rien n'a été publié
refusal-store-intent = l'enregistrement d'intention n'a pas pu être écrit dans le magasin partagé { $store }, que [audit.shared] exige pour ce compte ; rien n'a été publié
hint-rules = modifiez la publication ; `postgate policy show { $name }` liste les règles qui s'appliquent
hint-rules-rechecked = vérifié à nouveau après la confirmation (une autre exécution a pu publier entre-temps) ; rien n'a été envoyé
refusal-too-many-images = { $count } images ; { $platform } en accepte { $max }
refusal-no-alt-text = l'image { $number } n'a pas de description, et le compte `{ $name }` en exige une
hint-no-alt-text = décrivez-la avec --alt "…" après son --image (require_alt_text dans la politique)
refusal-too-long = la publication fait { $length } { $unit } ; { $platform } en accepte { $max }
refusal-too-many-bytes = la publication fait { $bytes } octets ; { $platform } en accepte { $max }
hint-shorten = raccourcissez-la ; rien n'a été envoyé

## Plans et approbations

refusal-plan-expired = le plan a expiré le { $at } ; rien n'a été publié
hint-plan-expired = planifiez à nouveau la publication si elle est toujours voulue, et faites-la approuver à nouveau
refusal-plan-not-yet = le plan ne peut pas être publié avant { $at }
hint-plan-not-yet = appliquez-le à partir de ce moment ; `postgate queue publish --due` le prend quand il est dû
refusal-needs-approval = cette publication demande une approbation : { $needs }
hint-needs-approval = rien n'a été publié ; écrivez un plan (`postgate plan -a { $name }{ $correct } … -o post.plan`), faites-le signer (`postgate approve post.plan`), puis `postgate apply post.plan`
refusal-approvals-missing = le plan n'est pas approuvé comme la politique l'exige : { $missing }
hint-approvals-missing = rien n'a été publié ; un approbateur signe avec `postgate approve { $path }`

## La ligne d'accès du bandeau

credential-none-needed = aucun nécessaire
credential-source-none = aucun
credential-source-keychain = trousseau
credential-source-environment = environnement
credential-acting-as = , agissant en tant que { $who }
credential-missing = MANQUANT ({ $policy })

## Une tentative précédente dans le doute

note-retry-in-doubt = une exécution précédente de cette publication (enregistrement d'audit n° { $seq }, { $when }) s'est arrêtée avant de consigner si elle a publié ; nouvel essai sous la même clé, pour que la plateforme retrouve cette publication au lieu d'en faire une deuxième
question-in-doubt = Une exécution précédente de cette publication (enregistrement d'audit n° { $seq }, { $when }) s'est arrêtée avant de consigner si elle a publié, et { $platform } a oublié sa clé. Regardez d'abord { $handle }. La publication y manque-t-elle, et doit-elle partir maintenant ?

## Ce qu'une publication dit sur stderr

status-already-published = déjà publié sur { $handle } sous l'id { $id } (enregistrement d'audit n° { $seq }) ; rien n'a été envoyé
status-deleted = { $id } supprimé de { $handle }
status-done =
    { $verb ->
        [post] publié
        [correct] corrigé
       *[other] { $verb }
    } : { $handle } sous l'id { $id }
status-dry-run =
    { $verb ->
        [post] essai à blanc : tous les contrôles sont passés ; rien n'a été publié
       *[other] essai à blanc : tous les contrôles sont passés ; rien n'a été modifié
    }

## Touches que l'éditeur de réponse ne prend pas

key-editing = une touche d'édition
key-not-utf8 = un octet qui n'est pas de l'UTF-8
key-not-utf8-sequence = une suite d'octets qui n'est pas de l'UTF-8

## Fichiers de verrou

refusal-shared-lockdown-missing = le dossier de verrouillage partagé { $path } est absent, donc un verrou posé par quelqu'un d'autre ne peut pas être vu
hint-shared-lockdown-missing = montez-le ou créez-le, ou corrigez [lockdown] shared_path dans la politique ; rien n'a été publié
refusal-lock-unreadable = le fichier de verrou { $path } est illisible ({ $why }) ; le compte est traité comme verrouillé
hint-lock-unreadable = examinez le fichier : `postgate unlock` réécrit un verrou qu'il peut lire ; rien n'a été publié

## Trousseau

refusal-no-keychain-no-env = aucun trousseau n'est joignable ({ $why }) et { $var } n'est pas définie, pour le compte `{ $name }`
hint-no-keychain-no-env = définissez { $var } depuis le coffre à secrets de votre CI, ou lancez postgate là où un trousseau est disponible

## Signature

refusal-not-signed = non signé : la réponse n'était pas oui

## Les titres de clap dans --help

clap-usage-heading = Utilisation :
clap-commands-heading = Commandes
