"""The dashboard's words, in French and English (one table: a missing translation fails a test)."""

from __future__ import annotations

from sandlab.framework import LANGUAGES

WORDS: dict[str, dict[str, str]] = {
    "dashboard": {"fr": "Tableau de bord de la formation", "en": "Training dashboard"},
    "cohorts": {"fr": "Cohortes", "en": "Cohorts"},
    "learners": {"fr": "apprenants", "en": "learners"},
    "computed_at": {"fr": "calculé le", "en": "computed on"},
    "export_csv": {"fr": "Exporter en CSV", "en": "Export as CSV"},
    "compare_with": {"fr": "Comparer avec", "en": "Compare with"},
    "compare": {"fr": "Comparer", "en": "Compare"},
    "nothing": {"fr": "(aucune)", "en": "(none)"},
    "completion": {"fr": "Progression", "en": "Completion"},
    "released": {"fr": "Reçus", "en": "Released"},
    "started": {"fr": "Commencés", "en": "Started"},
    "submitted": {"fr": "Rendus", "en": "Submitted"},
    "passed": {"fr": "Réussis", "en": "Passed"},
    "planned": {"fr": "Prévu", "en": "Planned"},
    "funnel": {"fr": "Entonnoir : part des labs prévus", "en": "Funnel: share of the planned labs"},
    "by_lab": {"fr": "Par lab", "en": "By lab"},
    "by_persona": {"fr": "Par profil", "en": "By persona"},
    "lab": {"fr": "Lab", "en": "Lab"},
    "level": {"fr": "Niveau", "en": "Level"},
    "all_levels": {"fr": "Tous les niveaux", "en": "All levels"},
    "filter": {"fr": "Filtrer", "en": "Filter"},
    "persona": {"fr": "Profil", "en": "Persona"},
    "skills": {"fr": "Compétences", "en": "Skills"},
    "objective": {"fr": "Objectif", "en": "Objective"},
    "acquired": {"fr": "Acquis", "en": "Acquired"},
    "mean_score": {"fr": "Score moyen", "en": "Mean score"},
    "task": {"fr": "Tâche", "en": "Task"},
    "failure_rate": {"fr": "Taux d'échec", "en": "Failure rate"},
    "distribution": {"fr": "Répartition des scores", "en": "Score distribution"},
    "manual": {"fr": "notée à la main", "en": "graded by hand"},
    "satisfaction": {"fr": "Satisfaction", "en": "Satisfaction"},
    "clarity": {"fr": "Clarté", "en": "Clarity"},
    "usefulness": {"fr": "Utilité pour le métier", "en": "Usefulness for the job"},
    "answers": {"fr": "réponses", "en": "answers"},
    "comments": {"fr": "Commentaires (anonymes)", "en": "Comments (anonymous)"},
    "engagement": {"fr": "Engagement", "en": "Engagement"},
    "active_minutes": {"fr": "Minutes actives par apprenant", "en": "Active minutes per learner"},
    "sessions": {"fr": "Sessions par apprenant", "en": "Sessions per learner"},
    "days_active": {"fr": "Jours actifs par apprenant", "en": "Days active per learner"},
    "activity_over_time": {"fr": "Activité dans le temps (minutes par jour)",
                           "en": "Activity over time (minutes per day)"},
    "after_training": {"fr": "Après la formation", "en": "After the training"},
    "ends": {"fr": "fin de la formation", "en": "end of the training"},
    "no_end_date": {"fr": "La cohorte n'a pas de date de fin (dates.ends dans le fichier de cohorte).",
                    "en": "The cohort has no end date (dates.ends in the cohort file)."},
    "returning_learners": {"fr": "Apprenants revenus", "en": "Learners who came back"},
    "labs_rerun": {"fr": "Labs relancés", "en": "Labs re-run"},
    "assistant_requests": {"fr": "Requêtes à l'assistant IA par apprenant", "en": "AI assistant requests per learner"},
    "use_cases": {"fr": "Cas d'usage proposés", "en": "Use cases proposed"},
    "ideas": {"fr": "Idées (anonymes)", "en": "Ideas (anonymous)"},
    "newest": {"fr": "les plus récents :", "en": "the newest"},
    "minutes_saved": {"fr": "Minutes gagnées par semaine", "en": "Minutes saved per week"},
    "count": {"fr": "Nombre", "en": "Count"},
    "feedback_loop": {"fr": "À améliorer d'abord", "en": "Fix first"},
    "priority": {"fr": "Priorité", "en": "Priority"},
    "fewer_than": {"fr": "moins de {n}", "en": "fewer than {n}"},
    "no_data": {"fr": "pas de données", "en": "no data"},
    "privacy": {"fr": "Les chiffres portant sur moins de {n} apprenants ne sont pas affichés ; "
                      "commentaires et idées sont anonymes.",
                "en": "Figures on fewer than {n} learners are not shown; comments and ideas are anonymous."},
    "my_progress": {"fr": "Ma progression", "en": "My progress"},
    "state": {"fr": "État", "en": "State"},
    "score": {"fr": "Score", "en": "Score"},
    "survey_done": {"fr": "Questionnaire", "en": "Survey"},
    "yes": {"fr": "répondu", "en": "answered"},
    "no": {"fr": "à faire", "en": "to do"},
    "next": {"fr": "Prochain lab", "en": "Next lab"},
    "all_done": {"fr": "Tous vos labs sont réussis. Bravo !", "en": "All your labs are passed. Well done!"},
    "my_skills": {"fr": "Mes compétences", "en": "My skills"},
    "state_planned": {"fr": "prévu", "en": "planned"},
    "state_released": {"fr": "disponible", "en": "available"},
    "state_started": {"fr": "commencé", "en": "started"},
    "state_submitted": {"fr": "rendu", "en": "submitted"},
    "state_passed": {"fr": "réussi", "en": "passed"},
    "no_cohort": {"fr": "Aucune cohorte ne vous est confiée.", "en": "No cohort is yours to follow."},
    "not_member": {"fr": "Votre compte n'est membre d'aucune cohorte.", "en": "Your account is in no cohort."},
    "forbidden": {"fr": "Cette cohorte n'est pas la vôtre.", "en": "This cohort is not yours."},
    "staff_only": {"fr": "Réservé aux formateurs et à l'IT.", "en": "For trainers and IT only."},
    "unknown_cohort": {"fr": "Cohorte inconnue.", "en": "Unknown cohort."},
    "lab_waves": {"fr": "Ce lab, vague par vague", "en": "This lab, wave by wave"},
    "waves_link": {"fr": "vague par vague", "en": "wave by wave"},
    "waves_intro": {"fr": "Chaque cohorte de la formation qui a eu ce lab, de la plus ancienne à la plus récente, "
                          "avec la version du lab qu'elle a reçue : ce qui a changé d'une vague à l'autre.",
                    "en": "Each cohort of the training that had this lab, oldest first, with the version of "
                          "the lab it was given: what changed from one wave to the next."},
    "wave": {"fr": "Vague", "en": "Wave"},
    "version": {"fr": "Version", "en": "Version"},
    "catalogue_version": {"fr": "catalogue", "en": "catalogue"},
    "failed_task": {"fr": "Échec à {task}", "en": "{task} failed"},
    "failure_by_task": {"fr": "Taux d'échec par tâche", "en": "Failure rate per task"},
    "median_minutes": {"fr": "Minutes médianes sur le lab", "en": "Median minutes on the lab"},
    "no_wave": {"fr": "Aucune de vos cohortes n'a encore eu ce lab.",
                "en": "None of your cohorts has had this lab yet."},
    "open_labs": {"fr": "Ouvrez vos labs depuis le hub", "en": "Open your labs from the hub"},
}


def words(language: str) -> dict[str, str]:
    language = language if language in LANGUAGES else LANGUAGES[0]
    return {key: texts[language] for key, texts in WORDS.items()}


def choose_language(requested: str | None, default: str) -> str:
    """?lang= first, then the member's language in their cohort."""
    if requested in LANGUAGES:
        return requested
    return default if default in LANGUAGES else LANGUAGES[0]
