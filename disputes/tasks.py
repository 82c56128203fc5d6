from ewtp.tasks import service_task


@service_task()
def dispute_return_delivered(shipment_id: int) -> None:
    from disputes.services import dispute_return_delivered as settle

    settle(shipment_id=shipment_id)
