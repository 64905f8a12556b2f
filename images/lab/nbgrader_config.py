# nbgrader in the learner's JupyterLab: the exchange is Sandlab's hub service (no shared folder),
# fetched labs land in ~/labs/<lab-id>/. The service's address comes from SANDLAB_EXCHANGE_URL.
c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file
client = "sandlab.grading.exchange.client."
c.ExchangeFactory.exchange = client + "Exchange"
c.ExchangeFactory.list = client + "ExchangeList"
c.ExchangeFactory.fetch_assignment = client + "ExchangeFetchAssignment"
c.ExchangeFactory.submit = client + "ExchangeSubmit"
c.ExchangeFactory.fetch_feedback = client + "ExchangeFetchFeedback"
c.Exchange.path_includes_course = False
